#pragma once

#include <string>

#include "osh/content/v1/content.pb.h"
#include "osh/store/database.h"

namespace osh::content {

namespace v1 = ::osh::content::v1;

// Writes ArticlePublished / ArticleWithdrawn into the outbox inside the
// caller's transaction (topic osh.content.events, key = article id).
class ContentEvents {
 public:
  explicit ContentEvents(std::string province) : province_(std::move(province)) {}

  void Published(store::Tx& tx, const v1::Article& public_view, bool first_publication) const;
  void Withdrawn(store::Tx& tx, const v1::Article& article, int64_t revision, const std::string& reason) const;

 private:
  std::string province_;
};

}  // namespace osh::content
