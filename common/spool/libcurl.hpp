#pragma once
// libcurl, loaded when a remote mailbox or an SMTP server is first used
// rather than at every start. Linked in, it brings 32 shared objects (TLS, Kerberos, LDAP, ...)
// that are mapped, relocated and initialised before main: about 6 ms of a
// spoolcheck or mailsplit run that only touches local spools, which is
// most of them (an MTA's delivery, a cron job's check every minute).
//
// Only the functions remote_session.cpp and forumnotify's SMTP sender
// call; the types and constants are <curl/curl.h>'s.

#include <curl/curl.h>

namespace forumgate::spool {

struct Libcurl {
  decltype(&::curl_global_init) global_init;
  decltype(&::curl_easy_init) easy_init;
  decltype(&::curl_easy_setopt) easy_setopt;
  decltype(&::curl_easy_perform) easy_perform;
  decltype(&::curl_easy_cleanup) easy_cleanup;
  decltype(&::curl_easy_strerror) easy_strerror;
  decltype(&::curl_url) url;
  decltype(&::curl_url_cleanup) url_cleanup;
  decltype(&::curl_url_set) url_set;
  decltype(&::curl_url_get) url_get;
  decltype(&::curl_free) free;
  decltype(&::curl_easy_getinfo) easy_getinfo;
  decltype(&::curl_slist_append) slist_append;
  decltype(&::curl_slist_free_all) slist_free_all;
  decltype(&::curl_multi_init) multi_init;
  decltype(&::curl_multi_add_handle) multi_add_handle;
  decltype(&::curl_multi_remove_handle) multi_remove_handle;
  decltype(&::curl_multi_perform) multi_perform;
  decltype(&::curl_multi_poll) multi_poll;
  decltype(&::curl_multi_info_read) multi_info_read;
  decltype(&::curl_multi_cleanup) multi_cleanup;
};

// libcurl, loaded on the first call and initialised (curl_global_init).
// Throws Error(69) when it cannot be loaded.
const Libcurl& libcurl();

}  // namespace forumgate::spool
