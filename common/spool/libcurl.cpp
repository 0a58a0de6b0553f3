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
              std::string("cannot load ") + soname + " for POP3 and IMAP: " + (why ? why : "unknown error"));
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
