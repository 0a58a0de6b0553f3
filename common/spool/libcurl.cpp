#include "spool/libcurl.hpp"

#include <dlfcn.h>

#include <string>

#include "util/error.hpp"

namespace forumgate::spool {
namespace {

// The soname libcurl has kept since 7.16 (2006).
constexpr const char* soname = "libcurl.so.4";

[[noreturn]] void cannot_load() {
  const char* why = dlerror();
  throw Error(Exit::unavailable,
              std::string("cannot load ") + soname + " for POP3, IMAP and SMTP: " + (why ? why : "unknown error"));
}

template <class Function>
void bind(void* lib, Function& f, const char* name) {
  void* symbol = dlsym(lib, name);
  if (!symbol) cannot_load();
  f = reinterpret_cast<Function>(symbol);
}

Libcurl load() {
  // Never closed: libcurl keeps global state until exit.
  void* lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!lib) cannot_load();
  Libcurl api{};
  bind(lib, api.global_init, "curl_global_init");
  bind(lib, api.easy_init, "curl_easy_init");
  bind(lib, api.easy_setopt, "curl_easy_setopt");
  bind(lib, api.easy_perform, "curl_easy_perform");
  bind(lib, api.easy_cleanup, "curl_easy_cleanup");
  bind(lib, api.easy_strerror, "curl_easy_strerror");
  bind(lib, api.url, "curl_url");
  bind(lib, api.url_cleanup, "curl_url_cleanup");
  bind(lib, api.url_set, "curl_url_set");
  bind(lib, api.url_get, "curl_url_get");
  bind(lib, api.free, "curl_free");
  bind(lib, api.easy_getinfo, "curl_easy_getinfo");
  bind(lib, api.slist_append, "curl_slist_append");
  bind(lib, api.slist_free_all, "curl_slist_free_all");
  bind(lib, api.multi_init, "curl_multi_init");
  bind(lib, api.multi_add_handle, "curl_multi_add_handle");
  bind(lib, api.multi_remove_handle, "curl_multi_remove_handle");
  bind(lib, api.multi_perform, "curl_multi_perform");
  bind(lib, api.multi_poll, "curl_multi_poll");
  bind(lib, api.multi_info_read, "curl_multi_info_read");
  bind(lib, api.multi_cleanup, "curl_multi_cleanup");
  if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    throw Error(Exit::unavailable, "cannot initialise libcurl");
  }
  return api;
}

}  // namespace

const Libcurl& libcurl() {
  static const Libcurl api = load();  // once, even with threads; again after a throw
  return api;
}

}  // namespace forumgate::spool
