#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace osh::notify {

// A plausible mailbox address (local@domain, printable ASCII, no spaces or
// line breaks, at most 254 characters): checked when a rule names it.
bool IsEmailAddress(std::string_view address);

// The RFC 5322 message: UTF-8 subject as an RFC 2047 encoded word, the body
// as base64 text/plain (no line of it can be read as the SMTP end of data,
// and no 8-bit transport is assumed).
std::string ComposeEmail(std::string_view from, std::string_view to, std::string_view subject, std::string_view body,
                         std::string_view message_id, std::chrono::system_clock::time_point date);

struct EmailResult {
  bool delivered = false;
  bool retryable = false;  // no answer, or a 4xx reply; 5xx replies are permanent
  int smtp_code = 0;       // the server's last reply code, 0 when none came
  std::string error;
};

struct SmtpServer {
  std::string url;   // smtp://host:port (smtps:// for implicit TLS)
  std::string from;  // the envelope and header sender
  std::chrono::milliseconds timeout{10000};
};

// Hands one message to the SMTP server. Thread-safe.
EmailResult SendEmail(const SmtpServer& server, const std::string& to, std::string_view subject,
                      std::string_view body, const std::string& message_id);

}  // namespace osh::notify
