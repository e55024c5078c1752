#include "osh/xapi/statement_format.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace osh::xapi {
namespace {

using nlohmann::json;

constexpr const char* kIdentifiers[] = {"mbox", "mbox_sha1sum", "openid", "account"};

json AgentIds(const json& agent) {
  json out = json::object();
  if (agent.contains("objectType")) out["objectType"] = agent["objectType"];
  bool identified = false;
  for (const char* key : kIdentifiers) {
    if (agent.contains(key)) {
      out[key] = agent[key];
      identified = true;
    }
  }
  if (!identified && agent.contains("member") && agent["member"].is_array()) {
    out["member"] = json::array();
    for (const auto& m : agent["member"]) out["member"].push_back(AgentIds(m));
  }
  return out;
}

json ActivityIds(const json& activity) { return {{"id", activity.value("id", "")}}; }

void ContextIds(json& context) {
  for (const char* key : {"instructor", "team"}) {
    if (context.contains(key)) context[key] = AgentIds(context[key]);
  }
  if (!context.contains("contextActivities")) return;
  for (auto& [kind, value] : context["contextActivities"].items()) {
    if (value.is_array()) {
      for (auto& a : value) a = ActivityIds(a);
    } else {
      value = ActivityIds(value);
    }
  }
}

json BodyIds(const json& s) {
  json out = s;
  if (s.contains("actor")) out["actor"] = AgentIds(s["actor"]);
  if (s.contains("verb")) out["verb"] = {{"id", s["verb"].value("id", "")}};
  if (s.contains("object")) {
    const json& object = s["object"];
    const auto type = object.value("objectType", "Activity");
    if (type == "Activity") {
      out["object"] = ActivityIds(object);
    } else if (type == "Agent" || type == "Group") {
      out["object"] = AgentIds(object);
    } else if (type == "SubStatement") {
      out["object"] = BodyIds(object);
    }
  }
  if (out.contains("context")) ContextIds(out["context"]);
  if (s.contains("authority")) out["authority"] = AgentIds(s["authority"]);
  return out;
}

void ReduceLanguageMap(json& map, const std::vector<std::string>& languages) {
  if (!map.is_object() || map.size() <= 1) return;
  for (const auto& wanted : languages) {
    for (const auto& [tag, text] : map.items()) {
      if (std::equal(tag.begin(), tag.end(), wanted.begin(), wanted.end(),
                     [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) ==
                                                  std::tolower(static_cast<unsigned char>(b)); })) {
        map = json{{tag, text}};
        return;
      }
    }
  }
  const auto first = map.begin();
  map = json{{first.key(), first.value()}};
}

void DefinitionCanonical(json& activity, const std::vector<std::string>& languages) {
  if (!activity.is_object() || !activity.contains("definition")) return;
  json& d = activity["definition"];
  for (const char* key : {"name", "description"}) {
    if (d.contains(key)) ReduceLanguageMap(d[key], languages);
  }
  for (const char* list : {"choices", "scale", "source", "target", "steps"}) {
    if (!d.contains(list) || !d[list].is_array()) continue;
    for (auto& component : d[list]) {
      if (component.contains("description")) ReduceLanguageMap(component["description"], languages);
    }
  }
}

void BodyCanonical(json& s, const std::vector<std::string>& languages) {
  if (s.contains("verb") && s["verb"].contains("display")) ReduceLanguageMap(s["verb"]["display"], languages);
  if (s.contains("object")) {
    json& object = s["object"];
    const auto type = object.value("objectType", "Activity");
    if (type == "Activity") DefinitionCanonical(object, languages);
    if (type == "SubStatement") BodyCanonical(object, languages);
  }
  if (s.contains("context") && s["context"].contains("contextActivities")) {
    for (auto& [kind, value] : s["context"]["contextActivities"].items()) {
      if (value.is_array()) {
        for (auto& a : value) DefinitionCanonical(a, languages);
      } else {
        DefinitionCanonical(value, languages);
      }
    }
  }
  if (s.contains("attachments") && s["attachments"].is_array()) {
    for (auto& a : s["attachments"]) {
      for (const char* key : {"display", "description"}) {
        if (a.contains(key)) ReduceLanguageMap(a[key], languages);
      }
    }
  }
}

}  // namespace

json IdsFormat(const json& statement) { return BodyIds(statement); }

json CanonicalFormat(const json& statement, const std::vector<std::string>& languages) {
  json out = statement;
  BodyCanonical(out, languages);
  return out;
}

std::vector<std::string> AcceptedLanguages(const std::string& header) {
  std::vector<std::pair<double, std::string>> ranked;
  std::stringstream items(header);
  std::string item;
  while (std::getline(items, item, ',')) {
    std::string tag = item.substr(0, item.find(';'));
    tag.erase(std::remove_if(tag.begin(), tag.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }),
              tag.end());
    double q = 1.0;
    if (const auto p = item.find("q="); p != std::string::npos) {
      try {
        q = std::stod(item.substr(p + 2));
      } catch (const std::exception&) {
        q = 0;
      }
    }
    if (!tag.empty() && tag != "*" && q > 0) ranked.emplace_back(q, tag);
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> out;
  for (auto& [q, tag] : ranked) out.push_back(std::move(tag));
  return out;
}

}  // namespace osh::xapi
