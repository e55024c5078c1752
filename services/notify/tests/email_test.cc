// Email composition, address checks, and SendEmail against a real SMTP
// conversation on a loopback socket (a scripted server in this file).
#include "email.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace osh::notify {
namespace {

std::string DecodeBase64(std::string text) {
  text.erase(std::remove_if(text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n'; }), text.end());
  std::string out(text.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  while (!text.empty() && text.back() == '=') {
    text.pop_back();
    --n;
  }
  out.resize(static_cast<size_t>(std::max(n, 0)));
  return out;
}

TEST(EmailAddressTest, AcceptsMailboxesOnly) {
  for (const char* ok : {"osh@gd.gov.cn", "a.b+c@example.cn"}) EXPECT_TRUE(IsEmailAddress(ok)) << ok;
  for (const char* bad : {"", "no-at", "@example.cn", "a@b", "a@@b.cn", "a b@c.cn", "a@b.cn\r\nRCPT TO:<x@y.cn>",
                          "名字@example.cn", "<a@b.cn>", "a@.cn", "a@cn."}) {
    EXPECT_FALSE(IsEmailAddress(bad)) << bad;
  }
}

TEST(ComposeEmailTest, EncodesChineseSubjectAndBody) {
  const std::string body = "您好：\n.\n复查期限为 2026-12-01。";
  const auto message = ComposeEmail("noreply@osh.invalid", "office@example.cn", "整改期限提醒", body, "id-1@osh",
                                    std::chrono::system_clock::time_point{});
  EXPECT_NE(message.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(message.find("Content-Transfer-Encoding: base64"), std::string::npos);
  EXPECT_NE(message.find("Message-ID: <id-1@osh>"), std::string::npos);
  EXPECT_NE(message.find("Date: Thu, 01 Jan 1970 00:00:00 +0000"), std::string::npos);
  const auto start = message.find("\r\n\r\n") + 4;
  EXPECT_EQ(DecodeBase64(message.substr(start)), body);
  EXPECT_EQ(message.find("\r\n.\r\n"), std::string::npos) << "no line can end the SMTP data early";
  const auto ascii = ComposeEmail("a@b.cn", "c@d.cn", "Reminder", "x", "m@osh", {});
  EXPECT_NE(ascii.find("Subject: Reminder\r\n"), std::string::npos);
}

// One SMTP session with scripted replies; `data_reply` answers the end of DATA.
class ScriptedSmtp {
 public:
  explicit ScriptedSmtp(std::string rcpt_reply = "250 ok", std::string data_reply = "250 queued")
      : rcpt_reply_(std::move(rcpt_reply)), data_reply_(std::move(data_reply)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 4);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedSmtp() {
    thread_.join();
    ::close(fd_);
  }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  const std::string& transcript() const { return transcript_; }

 private:
  void Send(int conn, const std::string& line) {
    const std::string out = line + "\r\n";
    ::send(conn, out.data(), out.size(), MSG_NOSIGNAL);
  }

  void Serve() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) return;
    const int conn = ::accept(fd_, nullptr, nullptr);
    Send(conn, "220 scripted ESMTP");
    std::string pending;
    bool in_data = false;
    char buffer[4096];
    while (true) {
      pollfd c{conn, POLLIN, 0};
      if (::poll(&c, 1, 5000) <= 0) break;
      const ssize_t n = ::recv(conn, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      pending.append(buffer, static_cast<size_t>(n));
      transcript_.append(buffer, static_cast<size_t>(n));
      if (in_data) {
        if (pending.find("\r\n.\r\n") == std::string::npos) continue;
        pending.clear();
        in_data = false;
        Send(conn, data_reply_);
        continue;
      }
      size_t eol;
      while ((eol = pending.find("\r\n")) != std::string::npos) {
        const std::string line = pending.substr(0, eol);
        pending.erase(0, eol + 2);
        if (line.rfind("EHLO", 0) == 0 || line.rfind("HELO", 0) == 0) {
          Send(conn, "250 scripted");
        } else if (line.rfind("MAIL FROM", 0) == 0) {
          Send(conn, "250 ok");
        } else if (line.rfind("RCPT TO", 0) == 0) {
          Send(conn, rcpt_reply_);
        } else if (line == "DATA") {
          Send(conn, "354 go on");
          in_data = true;
          break;
        } else if (line == "QUIT") {
          Send(conn, "221 bye");
          ::close(conn);
          return;
        } else {
          Send(conn, "250 ok");
        }
      }
    }
    ::close(conn);
  }

  std::string rcpt_reply_;
  std::string data_reply_;
  int fd_ = -1;
  int port_ = 0;
  std::string transcript_;
  std::thread thread_;
};

TEST(SendEmailTest, HandsTheMessageToTheServer) {
  ScriptedSmtp server;
  const auto result = SendEmail({.url = server.url(), .from = "noreply@osh.invalid"}, "office@example.cn",
                                "整改期限提醒", "正文", "d-1@osh-notify");
  EXPECT_TRUE(result.delivered) << result.error;
  EXPECT_EQ(result.smtp_code, 250);
  EXPECT_NE(server.transcript().find("MAIL FROM:<noreply@osh.invalid>"), std::string::npos) << server.transcript();
  EXPECT_NE(server.transcript().find("RCPT TO:<office@example.cn>"), std::string::npos);
  EXPECT_NE(server.transcript().find("Message-ID: <d-1@osh-notify>"), std::string::npos);
}

TEST(SendEmailTest, ProxiesFromTheEnvironmentAreNotUsed) {
  // A SOCKS proxy that refuses every connection: mail that took it would fail.
  const int bound = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(bound, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(bound, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string proxy = "socks5://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  for (const char* name : {"all_proxy", "ALL_PROXY"}) ::setenv(name, proxy.c_str(), 1);
  ScriptedSmtp server;
  const auto result = SendEmail({.url = server.url(), .from = "noreply@osh.invalid"}, "office@example.cn", "s", "b",
                                "d-5@osh-notify");
  for (const char* name : {"all_proxy", "ALL_PROXY"}) ::unsetenv(name);
  ::close(bound);
  EXPECT_TRUE(result.delivered) << result.error;
  EXPECT_NE(server.transcript().find("RCPT TO:<office@example.cn>"), std::string::npos);
}

TEST(SendEmailTest, PermanentRefusalIsNotRetried) {
  ScriptedSmtp server("550 no such mailbox");
  const auto result = SendEmail({.url = server.url(), .from = "noreply@osh.invalid"}, "gone@example.cn", "s", "b",
                                "d-2@osh-notify");
  EXPECT_FALSE(result.delivered);
  EXPECT_FALSE(result.retryable);
  EXPECT_EQ(result.smtp_code, 550);
}

TEST(SendEmailTest, TemporaryRefusalAndNoServerAreRetried) {
  {
    ScriptedSmtp server("250 ok", "451 try again later");
    const auto result = SendEmail({.url = server.url(), .from = "noreply@osh.invalid"}, "a@example.cn", "s", "b",
                                  "d-3@osh-notify");
    EXPECT_FALSE(result.delivered);
    EXPECT_TRUE(result.retryable) << result.error;
  }
  const auto refused = SendEmail({.url = "smtp://127.0.0.1:1", .from = "noreply@osh.invalid",
                                  .timeout = std::chrono::milliseconds(2000)},
                                 "a@example.cn", "s", "b", "d-4@osh-notify");
  EXPECT_FALSE(refused.delivered);
  EXPECT_TRUE(refused.retryable);
  EXPECT_FALSE(refused.error.empty());
}

}  // namespace
}  // namespace osh::notify
