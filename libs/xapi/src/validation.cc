#include "osh/xapi/validation.h"

#include <cmath>
#include <initializer_list>
#include <string_view>

#include "osh/xapi/formats.h"

namespace osh::xapi {
namespace {

using nlohmann::json;

// Thrown inside the checker only; ValidateStatement turns it into a value.
struct Refusal {
  std::string path;
  std::string message;
};

std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

[[noreturn]] void Refuse(const std::string& path, std::string message) { throw Refusal{path, std::move(message)}; }

void RequireObject(const json& value, const std::string& path) {
  if (!value.is_object()) Refuse(path, "must be a JSON object");
}

// Unknown properties are refused (Data 2.2: an LRS rejects a statement with
// properties the specification does not define), and so are nulls: JSON null
// is never a valid value outside extensions.
void OnlyKnownKeys(const json& object, const std::string& path, std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : object.items()) {
    bool found = false;
    for (auto k : known) found = found || k == key;
    if (!found) Refuse(Join(path, key), "is not a property of this object in xAPI 1.0.3");
    if (value.is_null()) Refuse(Join(path, key), "must not be null");
  }
}

const json* Member(const json& object, std::string_view key) {
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const json& Required(const json& object, const std::string& path, std::string_view key) {
  const auto* value = Member(object, key);
  if (value == nullptr) Refuse(Join(path, key), "is required");
  return *value;
}

const std::string& RequireString(const json& value, const std::string& path) {
  if (!value.is_string()) Refuse(path, "must be a string");
  return value.get_ref<const std::string&>();
}

void RequireIri(const json& value, const std::string& path) {
  if (!IsIri(RequireString(value, path))) Refuse(path, "must be an absolute IRI");
}

void RequireUuid(const json& value, const std::string& path) {
  if (!IsUuid(RequireString(value, path))) Refuse(path, "must be a UUID (RFC 4122)");
}

void RequireBool(const json& value, const std::string& path) {
  if (!value.is_boolean()) Refuse(path, "must be true or false");
}

void RequireNumber(const json& value, const std::string& path) {
  if (!value.is_number()) Refuse(path, "must be a number");
}

void CheckLanguageMap(const json& value, const std::string& path) {
  RequireObject(value, path);
  for (const auto& [tag, text] : value.items()) {
    if (!IsLanguageTag(tag)) Refuse(Join(path, tag), "is not an RFC 5646 language tag");
    if (!text.is_string()) Refuse(Join(path, tag), "must be a string");
  }
}

void CheckExtensions(const json& value, const std::string& path) {
  RequireObject(value, path);
  for (const auto& [key, ignored] : value.items()) {
    if (!IsIri(key)) Refuse(Join(path, key), "extension keys must be absolute IRIs");
  }
}

void CheckTimestamp(const json& value, const std::string& path) {
  if (!ParseTimestamp(RequireString(value, path))) Refuse(path, "must be an ISO 8601 timestamp with a known offset");
}

class StatementChecker {
 public:
  void Statement(const json& s) {
    RequireObject(s, "");
    OnlyKnownKeys(s, "", {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority",
                          "version", "attachments"});
    if (const auto* id = Member(s, "id")) RequireUuid(*id, "id");
    Body(s, "", /*substatement=*/false);
    if (const auto* stored = Member(s, "stored")) CheckTimestamp(*stored, "stored");
    if (const auto* authority = Member(s, "authority")) Authority(*authority, "authority");
    if (const auto* version = Member(s, "version")) Version(*version, "version");
  }

  void Actor(const json& a, const std::string& path) {
    RequireObject(a, path);
    const auto* type = Member(a, "objectType");
    if (type != nullptr && RequireString(*type, Join(path, "objectType")) == "Group") return Group(a, path);
    if (type != nullptr && *type != "Agent") Refuse(Join(path, "objectType"), "must be \"Agent\" or \"Group\"");
    Agent(a, path);
  }

 private:
  // actor, verb, object, result, context, timestamp and attachments: what a
  // Statement and a SubStatement share.
  void Body(const json& s, const std::string& path, bool substatement) {
    Actor(Required(s, path, "actor"), Join(path, "actor"));
    const json& verb = Required(s, path, "verb");
    Verb(verb, Join(path, "verb"));
    const json& object = Required(s, path, "object");
    const std::string object_type = Object(object, Join(path, "object"), substatement);
    if (!substatement && verb.value("id", "") == kVoidedVerbId && object_type != "StatementRef") {
      Refuse(Join(path, "object"), "a voiding statement's object must be a StatementRef");
    }
    if (const auto* result = Member(s, "result")) Result(*result, Join(path, "result"));
    if (const auto* context = Member(s, "context")) Context(*context, Join(path, "context"), object_type);
    if (const auto* timestamp = Member(s, "timestamp")) CheckTimestamp(*timestamp, Join(path, "timestamp"));
    if (const auto* attachments = Member(s, "attachments")) Attachments(*attachments, Join(path, "attachments"));
  }

  void Agent(const json& a, const std::string& path) {
    OnlyKnownKeys(a, path, {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"});
    if (const auto* name = Member(a, "name")) RequireString(*name, Join(path, "name"));
    if (Identifiers(a, path) != 1) Refuse(path, "an Agent must have exactly one of mbox, mbox_sha1sum, openid, account");
  }

  void Group(const json& g, const std::string& path) {
    OnlyKnownKeys(g, path, {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account", "member"});
    if (const auto* name = Member(g, "name")) RequireString(*name, Join(path, "name"));
    const int identifiers = Identifiers(g, path);
    if (identifiers > 1) Refuse(path, "a Group must not have more than one inverse functional identifier");
    const auto* member = Member(g, "member");
    if (identifiers == 0 && member == nullptr) Refuse(Join(path, "member"), "an anonymous Group must list its members");
    if (member != nullptr) {
      const auto member_path = Join(path, "member");
      if (!member->is_array()) Refuse(member_path, "must be an array of Agents");
      if (identifiers == 0 && member->empty()) Refuse(member_path, "an anonymous Group must list its members");
      for (size_t i = 0; i < member->size(); ++i) {
        const auto item_path = member_path + "." + std::to_string(i);
        const json& m = (*member)[i];
        RequireObject(m, item_path);
        const auto* type = Member(m, "objectType");
        if (type != nullptr && *type != "Agent") Refuse(Join(item_path, "objectType"), "a Group's members are Agents");
        Agent(m, item_path);
      }
    }
  }

  int Identifiers(const json& a, const std::string& path) {
    int count = 0;
    if (const auto* mbox = Member(a, "mbox")) {
      ++count;
      if (!IsMailtoIri(RequireString(*mbox, Join(path, "mbox")))) {
        Refuse(Join(path, "mbox"), "must be a mailto IRI");
      }
    }
    if (const auto* sha = Member(a, "mbox_sha1sum")) {
      ++count;
      if (!IsSha1Hex(RequireString(*sha, Join(path, "mbox_sha1sum")))) {
        Refuse(Join(path, "mbox_sha1sum"), "must be 40 hexadecimal digits");
      }
    }
    if (const auto* openid = Member(a, "openid")) {
      ++count;
      RequireIri(*openid, Join(path, "openid"));
    }
    if (const auto* account = Member(a, "account")) {
      ++count;
      const auto account_path = Join(path, "account");
      RequireObject(*account, account_path);
      OnlyKnownKeys(*account, account_path, {"homePage", "name"});
      RequireIri(Required(*account, account_path, "homePage"), Join(account_path, "homePage"));
      RequireString(Required(*account, account_path, "name"), Join(account_path, "name"));
    }
    return count;
  }

  void Verb(const json& v, const std::string& path) {
    RequireObject(v, path);
    OnlyKnownKeys(v, path, {"id", "display"});
    RequireIri(Required(v, path, "id"), Join(path, "id"));
    if (const auto* display = Member(v, "display")) CheckLanguageMap(*display, Join(path, "display"));
  }

  // Returns the object's type ("Activity" when absent).
  std::string Object(const json& o, const std::string& path, bool in_substatement) {
    RequireObject(o, path);
    std::string type = "Activity";
    if (const auto* t = Member(o, "objectType")) type = RequireString(*t, Join(path, "objectType"));
    if (type == "Activity") {
      Activity(o, path);
    } else if (type == "Agent") {
      Agent(o, path);
    } else if (type == "Group") {
      Group(o, path);
    } else if (type == "StatementRef") {
      StatementRef(o, path);
    } else if (type == "SubStatement") {
      if (in_substatement) Refuse(Join(path, "objectType"), "a SubStatement must not contain a SubStatement");
      OnlyKnownKeys(o, path, {"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"});
      Body(o, path, /*substatement=*/true);
    } else {
      Refuse(Join(path, "objectType"), "must be Activity, Agent, Group, StatementRef or SubStatement");
    }
    return type;
  }

  void StatementRef(const json& o, const std::string& path) {
    RequireObject(o, path);
    OnlyKnownKeys(o, path, {"objectType", "id"});
    if (Member(o, "objectType") == nullptr || o["objectType"] != "StatementRef") {
      Refuse(Join(path, "objectType"), "must be \"StatementRef\"");
    }
    RequireUuid(Required(o, path, "id"), Join(path, "id"));
  }

  void Activity(const json& a, const std::string& path) {
    RequireObject(a, path);
    OnlyKnownKeys(a, path, {"objectType", "id", "definition"});
    if (const auto* t = Member(a, "objectType"); t != nullptr && *t != "Activity") {
      Refuse(Join(path, "objectType"), "must be \"Activity\"");
    }
    RequireIri(Required(a, path, "id"), Join(path, "id"));
    if (const auto* definition = Member(a, "definition")) Definition(*definition, Join(path, "definition"));
  }

  void Definition(const json& d, const std::string& path) {
    RequireObject(d, path);
    OnlyKnownKeys(d, path, {"name", "description", "type", "moreInfo", "extensions", "interactionType",
                            "correctResponsesPattern", "choices", "scale", "source", "target", "steps"});
    if (const auto* name = Member(d, "name")) CheckLanguageMap(*name, Join(path, "name"));
    if (const auto* description = Member(d, "description")) CheckLanguageMap(*description, Join(path, "description"));
    if (const auto* type = Member(d, "type")) RequireIri(*type, Join(path, "type"));
    if (const auto* more_info = Member(d, "moreInfo")) RequireIri(*more_info, Join(path, "moreInfo"));
    if (const auto* extensions = Member(d, "extensions")) CheckExtensions(*extensions, Join(path, "extensions"));
    const auto* interaction = Member(d, "interactionType");
    if (interaction != nullptr) {
      static constexpr std::string_view kTypes[] = {"true-false", "choice",     "fill-in", "long-fill-in",
                                                    "matching",   "performance", "sequencing", "likert",
                                                    "numeric",    "other"};
      const auto& value = RequireString(*interaction, Join(path, "interactionType"));
      bool known = false;
      for (auto t : kTypes) known = known || t == value;
      if (!known) Refuse(Join(path, "interactionType"), "is not an xAPI interaction type");
    }
    if (const auto* pattern = Member(d, "correctResponsesPattern")) {
      const auto pattern_path = Join(path, "correctResponsesPattern");
      if (!pattern->is_array()) Refuse(pattern_path, "must be an array of strings");
      for (size_t i = 0; i < pattern->size(); ++i) RequireString((*pattern)[i], pattern_path + "." + std::to_string(i));
    }
    if (interaction == nullptr && Member(d, "correctResponsesPattern") != nullptr) {
      Refuse(Join(path, "correctResponsesPattern"), "needs an interactionType");
    }
    for (const char* list : {"choices", "scale", "source", "target", "steps"}) {
      const auto* components = Member(d, list);
      if (components == nullptr) continue;
      const auto list_path = Join(path, list);
      if (interaction == nullptr) Refuse(list_path, "interaction components need an interactionType");
      InteractionComponents(*components, list_path);
    }
  }

  void InteractionComponents(const json& list, const std::string& path) {
    if (!list.is_array()) Refuse(path, "must be an array of interaction components");
    std::vector<std::string> ids;
    for (size_t i = 0; i < list.size(); ++i) {
      const auto item_path = path + "." + std::to_string(i);
      const json& c = list[i];
      RequireObject(c, item_path);
      OnlyKnownKeys(c, item_path, {"id", "description"});
      const auto& id = RequireString(Required(c, item_path, "id"), Join(item_path, "id"));
      for (const auto& seen : ids) {
        if (seen == id) Refuse(Join(item_path, "id"), "interaction component ids must be distinct");
      }
      ids.push_back(id);
      if (const auto* description = Member(c, "description")) {
        CheckLanguageMap(*description, Join(item_path, "description"));
      }
    }
  }

  void Result(const json& r, const std::string& path) {
    RequireObject(r, path);
    OnlyKnownKeys(r, path, {"score", "success", "completion", "response", "duration", "extensions"});
    if (const auto* success = Member(r, "success")) RequireBool(*success, Join(path, "success"));
    if (const auto* completion = Member(r, "completion")) RequireBool(*completion, Join(path, "completion"));
    if (const auto* response = Member(r, "response")) RequireString(*response, Join(path, "response"));
    if (const auto* duration = Member(r, "duration")) {
      if (!IsDuration(RequireString(*duration, Join(path, "duration")))) {
        Refuse(Join(path, "duration"), "must be an ISO 8601 duration");
      }
    }
    if (const auto* extensions = Member(r, "extensions")) CheckExtensions(*extensions, Join(path, "extensions"));
    if (const auto* score = Member(r, "score")) Score(*score, Join(path, "score"));
  }

  void Score(const json& s, const std::string& path) {
    RequireObject(s, path);
    OnlyKnownKeys(s, path, {"scaled", "raw", "min", "max"});
    for (const char* key : {"scaled", "raw", "min", "max"}) {
      if (const auto* v = Member(s, key)) RequireNumber(*v, Join(path, key));
    }
    if (const auto* scaled = Member(s, "scaled")) {
      const double v = scaled->get<double>();
      if (v < -1.0 || v > 1.0) Refuse(Join(path, "scaled"), "must be between -1 and 1");
    }
    const auto* min = Member(s, "min");
    const auto* max = Member(s, "max");
    if (min != nullptr && max != nullptr && !(min->get<double>() < max->get<double>())) {
      Refuse(Join(path, "max"), "must be greater than min");
    }
    if (const auto* raw = Member(s, "raw")) {
      const double v = raw->get<double>();
      if (min != nullptr && v < min->get<double>()) Refuse(Join(path, "raw"), "must not be less than min");
      if (max != nullptr && v > max->get<double>()) Refuse(Join(path, "raw"), "must not be greater than max");
    }
  }

  void Context(const json& c, const std::string& path, const std::string& object_type) {
    RequireObject(c, path);
    OnlyKnownKeys(c, path, {"registration", "instructor", "team", "contextActivities", "revision", "platform",
                            "language", "statement", "extensions"});
    if (const auto* registration = Member(c, "registration")) RequireUuid(*registration, Join(path, "registration"));
    if (const auto* instructor = Member(c, "instructor")) Actor(*instructor, Join(path, "instructor"));
    if (const auto* team = Member(c, "team")) {
      const auto team_path = Join(path, "team");
      RequireObject(*team, team_path);
      const auto* type = Member(*team, "objectType");
      if (type == nullptr || RequireString(*type, Join(team_path, "objectType")) != "Group") {
        Refuse(Join(team_path, "objectType"), "a team must be a Group");
      }
      Group(*team, team_path);
    }
    for (const char* key : {"revision", "platform"}) {
      if (const auto* v = Member(c, key)) {
        RequireString(*v, Join(path, key));
        if (object_type != "Activity") Refuse(Join(path, key), "is allowed only when the object is an Activity");
      }
    }
    if (const auto* language = Member(c, "language")) {
      if (!IsLanguageTag(RequireString(*language, Join(path, "language")))) {
        Refuse(Join(path, "language"), "is not an RFC 5646 language tag");
      }
    }
    if (const auto* statement = Member(c, "statement")) StatementRef(*statement, Join(path, "statement"));
    if (const auto* extensions = Member(c, "extensions")) CheckExtensions(*extensions, Join(path, "extensions"));
    if (const auto* activities = Member(c, "contextActivities")) {
      const auto ca_path = Join(path, "contextActivities");
      RequireObject(*activities, ca_path);
      OnlyKnownKeys(*activities, ca_path, {"parent", "grouping", "category", "other"});
      for (const auto& [key, value] : activities->items()) {
        const auto key_path = Join(ca_path, key);
        if (value.is_array()) {
          for (size_t i = 0; i < value.size(); ++i) Activity(value[i], key_path + "." + std::to_string(i));
        } else {
          Activity(value, key_path);
        }
      }
    }
  }

  void Attachments(const json& list, const std::string& path) {
    if (!list.is_array()) Refuse(path, "must be an array of attachments");
    for (size_t i = 0; i < list.size(); ++i) {
      const auto item_path = path + "." + std::to_string(i);
      const json& a = list[i];
      RequireObject(a, item_path);
      OnlyKnownKeys(a, item_path, {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"});
      RequireIri(Required(a, item_path, "usageType"), Join(item_path, "usageType"));
      CheckLanguageMap(Required(a, item_path, "display"), Join(item_path, "display"));
      if (const auto* description = Member(a, "description")) {
        CheckLanguageMap(*description, Join(item_path, "description"));
      }
      const auto& content_type = RequireString(Required(a, item_path, "contentType"), Join(item_path, "contentType"));
      if (content_type.find('/') == std::string::npos) Refuse(Join(item_path, "contentType"), "must be a media type");
      const json& length = Required(a, item_path, "length");
      if (!length.is_number_integer() || length.get<int64_t>() < 0) {
        Refuse(Join(item_path, "length"), "must be a non-negative integer");
      }
      RequireString(Required(a, item_path, "sha2"), Join(item_path, "sha2"));
      if (const auto* file_url = Member(a, "fileUrl")) RequireIri(*file_url, Join(item_path, "fileUrl"));
    }
  }

  void Authority(const json& a, const std::string& path) {
    RequireObject(a, path);
    Actor(a, path);
    if (a.value("objectType", "") == "Group") {
      // The only Group authority is OAuth's: an anonymous Group of exactly
      // two Agents, the application and the user (Data 2.4.9).
      if (Identifiers(a, path) != 0) Refuse(path, "an authority Group must be anonymous");
      const auto* member = Member(a, "member");
      if (member == nullptr || member->size() != 2) Refuse(Join(path, "member"), "an authority Group has two members");
    }
  }

  void Version(const json& v, const std::string& path) {
    const auto& text = RequireString(v, path);
    if (text != "1.0" && text.rfind("1.0.", 0) != 0) Refuse(path, "must be 1.0.x");
    for (size_t i = 4; i < text.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(text[i]))) Refuse(path, "must be 1.0.x");
    }
    if (text.size() == 4) Refuse(path, "must be 1.0.x");
  }
};

}  // namespace

std::optional<ValidationError> ValidateStatement(const nlohmann::json& statement) {
  try {
    StatementChecker().Statement(statement);
  } catch (const Refusal& r) {
    return ValidationError{r.path.empty() ? "statement" : r.path, r.message};
  }
  return std::nullopt;
}

std::optional<ValidationError> ValidateAgent(const nlohmann::json& agent, const std::string& path) {
  try {
    StatementChecker().Actor(agent, path);
  } catch (const Refusal& r) {
    return ValidationError{r.path, r.message};
  }
  return std::nullopt;
}

}  // namespace osh::xapi
