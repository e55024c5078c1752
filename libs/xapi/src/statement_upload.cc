#include "statement_upload.h"

#include <openssl/rand.h>

#include <stdexcept>

#include "lrs_error.h"
#include "osh/auth/base64url.h"
#include "osh/xapi/multipart.h"
#include "osh/xapi/validation.h"

namespace osh::xapi {
namespace {

using nlohmann::json;

// The statement as the client sent it minus what the LRS sets, which decides
// whether a statement with a known id is the same statement.
json Submitted(json statement) {
  statement.erase("stored");
  statement.erase("authority");
  statement.erase("version");
  return statement;
}

constexpr const char* kSignatureUsage = "http://adlnet.gov/expapi/attachments/signature";

// A signed statement's signature (Data 2.6): a compact JWS with an RS256,
// RS384 or RS512 header whose payload is the statement without attachments.
// The signature itself is not checked against a key: the LRS stores it for
// whoever trusts the signer to verify.
void CheckSignature(const json& statement, const json& attachment, const Upload& upload, const std::string& path) {
  if (attachment.value("contentType", "") != "application/octet-stream") {
    Fail(400, "a signature attachment has contentType application/octet-stream", path + ".contentType");
  }
  const auto part = upload.attachments.find(Lower(attachment.value("sha2", "")));
  if (part == upload.attachments.end()) Fail(400, "the signature's content is missing", path);
  const std::string& jws = part->second.content;
  const auto dot1 = jws.find('.');
  const auto dot2 = dot1 == std::string::npos ? std::string::npos : jws.find('.', dot1 + 1);
  if (dot2 == std::string::npos || jws.find('.', dot2 + 1) != std::string::npos) {
    Fail(400, "the signature is not a compact JWS", path);
  }
  const auto header_text = auth::Base64UrlDecode(std::string_view(jws).substr(0, dot1));
  const auto payload_text = auth::Base64UrlDecode(std::string_view(jws).substr(dot1 + 1, dot2 - dot1 - 1));
  if (!header_text || !payload_text) Fail(400, "the signature is not a compact JWS", path);
  json header, payload;
  try {
    header = json::parse(*header_text);
    payload = json::parse(*payload_text);
  } catch (const json::parse_error&) {
    Fail(400, "the signature's header or payload is not JSON", path);
  }
  const auto alg = header.is_object() ? header.value("alg", "") : "";
  if (alg != "RS256" && alg != "RS384" && alg != "RS512") {
    Fail(400, "a signature uses RS256, RS384 or RS512", path);
  }
  json unsigned_statement = statement;
  unsigned_statement.erase("attachments");
  if (payload.is_object()) {
    // The LRS may have added the id; a payload without one still matches.
    if (!payload.contains("id")) unsigned_statement.erase("id");
  }
  if (payload != unsigned_statement) Fail(400, "the signature's payload is not this statement", path);
}

// A single context activity is returned as an array of one (Data 2.4.6.2),
// so it is stored that way.
void ContextActivitiesAsArrays(json& statement) {
  if (statement.contains("context") && statement["context"].contains("contextActivities")) {
    for (auto& [kind, value] : statement["context"]["contextActivities"].items()) {
      if (value.is_object()) value = json::array({value});
    }
  }
  if (statement.contains("object") && statement["object"].value("objectType", "") == "SubStatement") {
    ContextActivitiesAsArrays(statement["object"]);
  }
}

}  // namespace

json ParseJsonBody(const std::string& body) {
  try {
    return json::parse(body);
  } catch (const json::parse_error&) {
    Fail(400, "the body is not JSON");
  }
}

Upload ReadUpload(const std::string& content_type_header, const std::string& content_type, std::string body) {
  if (content_type == "application/json") return Upload{std::move(body), {}, {}};
  if (content_type != "multipart/mixed") Fail(400, "statements are sent as application/json or multipart/mixed");
  const auto boundary = MultipartBoundary(content_type_header);
  if (!boundary) Fail(400, "multipart/mixed without a boundary");
  const auto parts = ParseMultipart(body, *boundary);
  if (!parts || parts->empty()) Fail(400, "malformed multipart/mixed body");
  const auto first_type = (*parts)[0].headers.count("content-type") ? (*parts)[0].headers.at("content-type") : "";
  if (Lower(first_type.substr(0, first_type.find(';'))) != "application/json") {
    Fail(400, "the first part of a multipart request must be the statements as application/json");
  }
  Upload upload{(*parts)[0].body, {}, {}};
  for (size_t i = 1; i < parts->size(); ++i) {
    const auto& part = (*parts)[i];
    const auto hash = part.headers.find("x-experience-api-hash");
    if (hash == part.headers.end()) Fail(400, "an attachment part lacks X-Experience-API-Hash");
    const auto encoding = part.headers.find("content-transfer-encoding");
    if (encoding == part.headers.end() || Lower(encoding->second) != "binary") {
      Fail(400, "an attachment part needs Content-Transfer-Encoding: binary");
    }
    const auto sha2 = Lower(hash->second);
    if (sha2.size() == 64 && Sha256Hex(part.body) != sha2) {
      Fail(400, "an attachment's content does not match its X-Experience-API-Hash");
    }
    const auto type = part.headers.count("content-type") ? part.headers.at("content-type") : "application/octet-stream";
    upload.attachments[sha2] = AttachmentContent{sha2, type, part.body};
  }
  return upload;
}

// Fills what the LRS owns and checks what it must refuse, per statement.
NewStatement PrepareStatement(json statement, const LrsClient& client, size_t index, bool batch, Upload& upload) {
  const auto prefix = batch ? std::to_string(index) + "." : std::string();
  if (auto error = ValidateStatement(statement)) Fail(400, error->message, prefix + error->path);
  const auto attachments = statement.value("attachments", json::array());
  for (size_t i = 0; i < attachments.size(); ++i) {
    const auto& attachment = attachments[i];
    const auto path = prefix + "attachments." + std::to_string(i);
    const auto sha2 = Lower(attachment.value("sha2", ""));
    const bool sent = upload.attachments.count(sha2) != 0;
    if (!sent && !attachment.contains("fileUrl")) {
      Fail(400, "an attachment without fileUrl needs its content in a multipart/mixed part", path);
    }
    if (sent) upload.used.insert(sha2);
    if (attachment.value("usageType", "") == kSignatureUsage) CheckSignature(statement, attachment, upload, path);
  }
  if (!statement.contains("id")) statement["id"] = NewUuidV4();
  statement["id"] = Lower(statement["id"].get<std::string>());
  NewStatement out;
  out.submitted = Submitted(statement);
  ContextActivitiesAsArrays(statement);
  statement["authority"] = client.authority;
  if (!statement.contains("version")) statement["version"] = "1.0.0";
  out.statement = std::move(statement);
  return out;
}

std::vector<AttachmentContent> UsedAttachments(const Upload& upload) {
  std::vector<AttachmentContent> out;
  for (const auto& [sha2, content] : upload.attachments) {
    if (upload.used.count(sha2) == 0) Fail(400, "an attachment part matches no attachment of the statements");
    out.push_back(content);
  }
  return out;
}

std::string NewUuidV4() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("RAND_bytes failed");
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 15];
  }
  return out;
}

}  // namespace osh::xapi
