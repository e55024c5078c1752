#include "email.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <openssl/evp.h>

#include <memory>

#include "curl_handle.h"

namespace osh::notify {
namespace {

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// Base64 in lines of 76 characters (RFC 2045).
std::string Base64Lines(std::string_view bytes) {
  const std::string encoded = Base64(bytes);
  std::string out;
  for (size_t i = 0; i < encoded.size(); i += 76) {
    out.append(encoded, i, 76);
    out += "\r\n";
  }
  return out;
}

bool IsPlainAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

struct Upload {
  std::string data;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t n, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const size_t chunk = std::min(size * n, upload->data.size() - upload->offset);
  std::copy_n(upload->data.data() + upload->offset, chunk, buffer);
  upload->offset += chunk;
  return chunk;
}

}  // namespace

bool IsEmailAddress(std::string_view address) {
  if (address.empty() || address.size() > 254 || !IsPlainAscii(address)) return false;
  if (address.find_first_of(" <>(),;:\\\"[]") != std::string_view::npos) return false;
  const auto at = address.find('@');
  if (at == 0 || at == std::string_view::npos || address.find('@', at + 1) != std::string_view::npos) return false;
  const auto domain = address.substr(at + 1);
  return domain.find('.') != std::string_view::npos && domain.front() != '.' && domain.back() != '.';
}

std::string ComposeEmail(std::string_view from, std::string_view to, std::string_view subject, std::string_view body,
                         std::string_view message_id, std::chrono::system_clock::time_point date) {
  const std::string encoded_subject =
      IsPlainAscii(subject) ? std::string(subject) : "=?UTF-8?B?" + Base64(subject) + "?=";
  return fmt::format(
      "Date: {:%a, %d %b %Y %H:%M:%S} +0000\r\nFrom: <{}>\r\nTo: <{}>\r\nSubject: {}\r\nMessage-ID: <{}>\r\n"
      "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}",
      fmt::gmtime(std::chrono::system_clock::to_time_t(date)), from, to, encoded_subject, message_id,
      Base64Lines(body));
}

EmailResult SendEmail(const SmtpServer& server, const std::string& to, std::string_view subject,
                      std::string_view body, const std::string& message_id) {
  if (!IsEmailAddress(to)) return {.error = "not an email address"};
  if (CurlGlobalInit() != CURLE_OK) return {.retryable = true, .error = "curl cannot initialise"};
  const std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return {.retryable = true, .error = "cannot create a curl handle"};
  std::unique_ptr<curl_slist, SlistDeleter> recipients(curl_slist_append(nullptr, ("<" + to + ">").c_str()));
  Upload upload{ComposeEmail(server.from, to, subject, body, message_id, std::chrono::system_clock::now()), 0};
  char detail[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  const std::string mail_from = "<" + server.from + ">";
  curl_easy_setopt(c, CURLOPT_URL, server.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(upload.data.size()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(server.timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
  // The configured server, not a proxy the environment names (all_proxy would
  // carry SMTP through SOCKS).
  curl_easy_setopt(c, CURLOPT_PROXY, "");
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  const CURLcode code = curl_easy_perform(c);
  long reply = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
  if (code == CURLE_OK) return {.delivered = true, .smtp_code = static_cast<int>(reply)};
  std::string error = curl_easy_strerror(code);
  if (detail[0] != '\0') error += fmt::format(": {}", detail);
  const bool permanent = reply >= 500 || code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL;
  return {.retryable = !permanent, .smtp_code = static_cast<int>(reply), .error = std::move(error)};
}

}  // namespace osh::notify
