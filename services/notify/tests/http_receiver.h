#pragma once

// For tests: a real HTTP/1.1 receiver on a loopback port (POSIX sockets, one
// thread, one request per connection) that records what it is sent and
// answers the status the test chooses — the "provincial system" of webhook tests.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace osh::notify::testing {

struct ReceivedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

class HttpReceiver {
 public:
  // `status_for` picks the answer's status for each request (called on the receiver's thread).
  explicit HttpReceiver(std::function<int(const ReceivedRequest&)> status_for = [](const ReceivedRequest&) { return 200; })
      : status_for_(std::move(status_for)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 64);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }

  ~HttpReceiver() {
    stopping_ = true;
    thread_.join();
    ::close(fd_);
  }

  int port() const { return port_; }
  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  std::vector<ReceivedRequest> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stopping_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int conn = ::accept(fd_, nullptr, nullptr);
      if (conn < 0) continue;
      Handle(conn);
      ::close(conn);
    }
  }

  void Handle(int conn) {
    std::string data;
    char buffer[8192];
    size_t header_end = std::string::npos;
    size_t content_length = 0;
    while (true) {
      pollfd p{conn, POLLIN, 0};
      if (::poll(&p, 1, 2000) <= 0) return;
      const ssize_t n = ::recv(conn, buffer, sizeof buffer, 0);
      if (n <= 0) return;
      data.append(buffer, static_cast<size_t>(n));
      if (header_end == std::string::npos) {
        header_end = data.find("\r\n\r\n");
        if (header_end == std::string::npos) continue;
        const auto lower = Lower(data.substr(0, header_end));
        if (const auto at = lower.find("content-length:"); at != std::string::npos) {
          content_length = std::stoul(lower.substr(at + 15));
        }
      }
      if (data.size() >= header_end + 4 + content_length) break;
    }
    ReceivedRequest request;
    const auto line_end = data.find("\r\n");
    const auto first = data.substr(0, line_end);
    request.method = first.substr(0, first.find(' '));
    request.path = first.substr(first.find(' ') + 1, first.rfind(' ') - first.find(' ') - 1);
    size_t pos = line_end + 2;
    while (pos < header_end) {
      const auto end = data.find("\r\n", pos);
      const auto line = data.substr(pos, end - pos);
      if (const auto colon = line.find(':'); colon != std::string::npos) {
        auto value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        request.headers[Lower(line.substr(0, colon))] = value;
      }
      pos = end + 2;
    }
    request.body = data.substr(header_end + 4, content_length);
    const int status = status_for_(request);
    {
      std::lock_guard lock(mu_);
      requests_.push_back(request);
    }
    const std::string answer = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    ::send(conn, answer.data(), answer.size(), MSG_NOSIGNAL);
  }

  static std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
  }

  std::function<int(const ReceivedRequest&)> status_for_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::vector<ReceivedRequest> requests_;
  std::thread thread_;
};

}  // namespace osh::notify::testing
