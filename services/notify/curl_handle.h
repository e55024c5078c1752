#pragma once

// What every libcurl user of this service shares: one global init and owners
// that clean handles and lists up.

#include <curl/curl.h>

#include <mutex>

namespace osh::notify {

// curl_global_init is not thread-safe and must run once before any handle exists.
inline CURLcode CurlGlobalInit() {
  static std::once_flag once;
  static CURLcode code = CURLE_OK;
  std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return code;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace osh::notify
