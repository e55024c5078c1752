#pragma once

// Inside the LRS handler only: turning the body of a PUT or POST into
// statements ready to store, with their attachment contents.

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "osh/xapi/credentials.h"
#include "osh/xapi/statement_store.h"

namespace osh::xapi {

// The statements of a POST or PUT and the attachment contents sent with
// them: a JSON body, or multipart/mixed with the statements first and one
// part per attachment, each named by its X-Experience-API-Hash.
struct Upload {
  std::string statements_json;
  std::map<std::string, AttachmentContent> attachments;  // by sha2
  std::set<std::string> used;                           // hashes a statement declared
};

// `content_type` is the media type alone, lower-case; `content_type_header`
// the whole header (for the boundary). Malformed uploads are a 400.
Upload ReadUpload(const std::string& content_type_header, const std::string& content_type, std::string body);

// The body as JSON, or a 400.
nlohmann::json ParseJsonBody(const std::string& body);

// Validates one statement (index `index` of a batch when `batch`), checks its
// attachments and signature against `upload`, and fills what the LRS owns
// but the store: id, authority and version.
NewStatement PrepareStatement(nlohmann::json statement, const LrsClient& client, size_t index, bool batch,
                              Upload& upload);

// The attachment contents to keep; a part no statement declared is a 400.
std::vector<AttachmentContent> UsedAttachments(const Upload& upload);

// A random (version 4) UUID for statements that arrive without an id.
std::string NewUuidV4();

}  // namespace osh::xapi
