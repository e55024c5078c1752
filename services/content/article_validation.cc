#include "article_validation.h"

#include <set>

#include "osh/domain/civil_date.h"
#include "osh/domain/text.h"
#include "osh/service/checks.h"

namespace osh::content {
namespace {

constexpr size_t kMaxTitle = 200;
constexpr size_t kMaxSummary = 1000;
constexpr size_t kMaxTags = 20;
constexpr size_t kMaxTag = 32;
constexpr size_t kMaxSource = 200;
constexpr size_t kMaxUrl = 2048;
constexpr size_t kMaxAttachments = 20;

void CheckPlainText(const std::string& value, const std::string& field, size_t max_length, bool required,
                    bool allow_breaks, core::FieldErrors& errors) {
  const size_t before = errors.size();
  service::CheckText(value, field, max_length, required, errors);
  if (errors.size() == before && domain::HasControlCharacters(value, allow_breaks)) {
    errors.Add(field, allow_breaks ? "holds control characters (only line breaks and tabs are allowed)"
                                   : "holds control characters or line breaks");
  }
}

bool IsDigits(const std::string& s, size_t from, size_t n) {
  for (size_t i = from; i < from + n; ++i) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

// An object key under the service's attachment store: relative, no climbing out.
bool IsObjectKey(const std::string& key) {
  return !key.empty() && key[0] != '/' && key.find("..") == std::string::npos && key.find("://") == std::string::npos;
}

bool IsMediaType(const std::string& t) {
  const auto slash = t.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == t.size() || t.size() > 127) return false;
  for (char c : t) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '.' || c == '+' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsSha256Hex(const std::string& h) {
  if (h.size() != 64) return false;
  for (char c : h) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

template <typename IsValid>
void CheckEnumList(const google::protobuf::RepeatedField<int>& values, const std::string& field, IsValid is_valid,
                   core::FieldErrors& errors) {
  std::set<int> seen;
  for (int i = 0; i < values.size(); ++i) {
    const std::string name = field + "[" + std::to_string(i) + "]";
    if (values[i] == 0 || !is_valid(values[i])) {
      errors.Add(name, "unknown value " + std::to_string(values[i]));
    } else if (!seen.insert(values[i]).second) {
      errors.Add(name, "is listed twice");
    }
  }
}

}  // namespace

bool IsSourceDate(const std::string& text) {
  if (text.size() == 10) return domain::IsCivilDate(text);
  if (text.size() == 7 && text[4] == '-' && IsDigits(text, 0, 4) && IsDigits(text, 5, 2)) {
    return domain::IsCivilDate(text + "-01");
  }
  if (text.size() == 4) return IsDigits(text, 0, 4);
  if (text.size() == 7 && text.rfind("--", 0) == 0 && text[4] == '-') {
    return domain::IsCivilDate("2024" + text.substr(1));  // a leap year accepts --02-29
  }
  return false;
}

void ValidateContent(const v1::ArticleContent& c, const std::string& prefix, const ContentLimits& limits,
                     core::FieldErrors& errors) {
  const auto f = [&](const std::string& name) { return prefix + "." + name; };
  CheckPlainText(c.title(), f("title"), kMaxTitle, true, false, errors);
  CheckPlainText(c.summary(), f("summary"), kMaxSummary, false, true, errors);
  if (c.body().size() > limits.max_body_bytes) {
    errors.Add(f("body"), "is " + std::to_string(c.body().size()) + " bytes, more than the " +
                              std::to_string(limits.max_body_bytes) + " allowed");
  } else {
    CheckPlainText(c.body(), f("body"), limits.max_body_bytes, false, true, errors);
  }
  if (!v1::BodyFormat_IsValid(c.body_format())) errors.Add(f("body_format"), "unknown value");
  if (c.category() == v1::ARTICLE_CATEGORY_UNSPECIFIED || !v1::ArticleCategory_IsValid(c.category())) {
    errors.Add(f("category"), "is required: news, policy, regulation, science or case study");
  }
  if (static_cast<size_t>(c.tags_size()) > kMaxTags) {
    errors.Add(f("tags"), "has more than " + std::to_string(kMaxTags) + " tags");
  } else {
    std::set<std::string> seen;
    for (int i = 0; i < c.tags_size(); ++i) {
      const std::string name = f("tags") + "[" + std::to_string(i) + "]";
      const size_t before = errors.size();
      CheckPlainText(c.tags(i), name, kMaxTag, true, false, errors);
      if (errors.size() == before && !seen.insert(c.tags(i)).second) errors.Add(name, "is listed twice");
    }
  }
  CheckEnumList(c.audiences(), f("audiences"), v1::Audience_IsValid, errors);
  CheckEnumList(c.hazard_categories(), f("hazard_categories"), common::v1::HazardCategory_IsValid, errors);
  if (c.locale() != "zh-CN" && c.locale() != "en") errors.Add(f("locale"), "must be zh-CN or en");
  CheckPlainText(c.source(), f("source"), kMaxSource, false, false, errors);
  const auto& url = c.source_url();
  if (!url.empty() && (!domain::IsHttpUrl(url) || url.size() > kMaxUrl || domain::HasControlCharacters(url) ||
                       url.find(' ') != std::string::npos)) {
    errors.Add(f("source_url"), "must be an http(s) URL of at most 2048 characters");
  }
  if (!c.source_date().empty() && !IsSourceDate(c.source_date())) {
    errors.Add(f("source_date"), "must be YYYY-MM-DD, YYYY-MM, YYYY or --MM-DD");
  }
  if (static_cast<size_t>(c.attachments_size()) > kMaxAttachments) {
    errors.Add(f("attachments"), "has more than " + std::to_string(kMaxAttachments) + " attachments");
    return;
  }
  for (int i = 0; i < c.attachments_size(); ++i) {
    const auto& a = c.attachments(i);
    const std::string at = f("attachments") + "[" + std::to_string(i) + "]";
    CheckPlainText(a.name(), at + ".name", kMaxTitle, true, false, errors);
    if (!IsMediaType(a.media_type())) errors.Add(at + ".media_type", "must be a media type such as application/pdf");
    if (a.size_bytes() < 0) errors.Add(at + ".size_bytes", "must not be negative");
    if (!a.sha256().empty() && !IsSha256Hex(a.sha256())) errors.Add(at + ".sha256", "must be 64 lowercase hex digits");
    if (a.url().size() > kMaxUrl || domain::HasControlCharacters(a.url()) ||
        !(domain::IsHttpUrl(a.url()) || IsObjectKey(a.url()))) {
      errors.Add(at + ".url", "must be an http(s) URL or a relative object key");
    }
  }
}

void CheckPublishable(const v1::ArticleContent& c, core::FieldErrors& errors) {
  if (c.body().find_first_not_of(" \t\r\n") == std::string::npos) {
    errors.Add("content.body", "is empty; an article needs a body before review");
  }
}

}  // namespace osh::content
