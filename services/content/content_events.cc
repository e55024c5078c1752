#include "content_events.h"

#include "osh/events/event.h"
#include "osh/events/outbox.h"
#include "osh/events/v1/content_events.pb.h"

namespace osh::content {
namespace {
constexpr char kService[] = "content";
}  // namespace

void ContentEvents::Published(store::Tx& tx, const v1::Article& a, bool first_publication) const {
  events::v1::ArticlePublished m;
  m.set_article_id(a.id());
  m.set_province(a.province());
  m.set_revision(a.revision());
  m.set_title(a.content().title());
  m.set_category(a.content().category());
  m.set_locale(a.content().locale());
  *m.mutable_audiences() = a.content().audiences();
  *m.mutable_hazard_categories() = a.content().hazard_categories();
  *m.mutable_publish_time() = a.publish_time();
  m.set_first_publication(first_publication);
  events::Outbox::Append(tx, events::MakeEvent(m, province_, kService, a.id()));
}

void ContentEvents::Withdrawn(store::Tx& tx, const v1::Article& a, int64_t revision, const std::string& reason) const {
  events::v1::ArticleWithdrawn m;
  m.set_article_id(a.id());
  m.set_province(a.province());
  m.set_revision(revision);
  m.set_reason(reason);
  *m.mutable_withdraw_time() = a.update_time();
  events::Outbox::Append(tx, events::MakeEvent(m, province_, kService, a.id()));
}

}  // namespace osh::content
