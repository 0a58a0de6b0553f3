#include "spool/remote_session.hpp"

#include <iconv.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>

#include "util/error.hpp"
#include "util/fd.hpp"

namespace forumgate::spool {
namespace {

// UTF-8 to IMAP's modified UTF-7 (RFC 3501 5.1.3), glibc's "UTF-7-IMAP".
// nullopt when name is not valid UTF-8.
std::optional<std::string> modified_utf7(const std::string& name) {
  iconv_t cd = iconv_open("UTF-7-IMAP", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) throw Error(Exit::software, "iconv has no UTF-7-IMAP");
  std::string in = name, out(name.size() * 4 + 16, '\0');
  char* ip = in.data();
  char* op = out.data();
  size_t il = in.size(), ol = out.size();
  size_t rc = iconv(cd, &ip, &il, &op, &ol);
  if (rc != static_cast<size_t>(-1)) rc = iconv(cd, nullptr, nullptr, &op, &ol);  // close a base64 run
  iconv_close(cd);
  if (rc == static_cast<size_t>(-1)) return std::nullopt;
  out.resize(out.size() - ol);
  return out;
}

size_t append_body(char* data, size_t size, size_t n, void* userdata) {
  static_cast<std::string*>(userdata)->append(data, size * n);
  return size * n;
}

// A failure line: POP3 "-ERR ...", IMAP "TAG NO ..." or "TAG BAD ..." (or
// an untagged "* BAD", "* NO").
bool is_error_line(std::string_view line) {
  if (line.substr(0, 4) == "-ERR") return true;
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return false;
  std::string_view word = line.substr(sp + 1, 4);
  return word == "NO " || word == "BAD " || word.substr(0, 3) == "NO " || line.substr(sp + 1) == "NO" ||
         line.substr(sp + 1) == "BAD";
}

// The server's response lines reach us here (VERBOSE, with a debug
// function that prints nothing): the last one, and the last failure.
int remember_response(CURL*, curl_infotype type, char* data, size_t size, void* userdata) {
  if (type != CURLINFO_HEADER_IN) return 0;
  std::string line(data, size);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (line.empty()) return 0;
  auto* r = static_cast<ResponseLines*>(userdata);
  if (is_error_line(line)) r->last_error = line;
  r->last = std::move(line);
  return 0;
}

bool says(const std::string& line, std::initializer_list<const char*> codes) {
  for (const char* code : codes)
    if (line.find(code) != std::string::npos) return true;
  return false;
}

}  // namespace

std::string RemoteUrl::identity() const {
  std::string id = (protocol == RemoteProtocol::pop3 ? "pop3 " : "imap ") + user + "@" + host + ":" + port;
  if (protocol == RemoteProtocol::imap) id += "/" + mailbox;
  return id;
}

bool is_remote_url(std::string_view s) {
  for (std::string_view scheme : {"pop3://", "pop3s://", "imap://", "imaps://"})
    if (s.substr(0, scheme.size()) == scheme) return true;
  return false;
}

RemoteUrl parse_remote_url(const std::string& source) {
  const Libcurl& curl = libcurl();
  std::unique_ptr<CURLU, decltype(curl.url_cleanup)> u(curl.url(), curl.url_cleanup);
  if (!u) throw Error(Exit::software, "out of memory");
  if (curl.url_set(u.get(), CURLUPART_URL, source.c_str(), 0) != CURLUE_OK) {
    throw Error(Exit::usage, source + ": not a valid URL");
  }
  auto get = [&](CURLUPart part, unsigned flags = 0) {
    char* s = nullptr;
    std::string out;
    if (curl.url_get(u.get(), part, &s, flags) == CURLUE_OK && s) out = s;
    curl.free(s);
    return out;
  };
  char* pw = nullptr;
  bool has_password = curl.url_get(u.get(), CURLUPART_PASSWORD, &pw, 0) == CURLUE_OK;
  curl.free(pw);
  if (has_password) {
    throw Error(Exit::usage,
                "put the password in a netrc file, not in the URL, where ps(1) and shell histories show it");
  }
  RemoteUrl p;
  std::string scheme = get(CURLUPART_SCHEME);
  if (scheme == "pop3" || scheme == "pop3s") {
    p.protocol = RemoteProtocol::pop3;
  } else if (scheme == "imap" || scheme == "imaps") {
    p.protocol = RemoteProtocol::imap;
  } else {
    throw Error(Exit::usage, source + ": not a pop3://, pop3s://, imap:// or imaps:// URL");
  }
  p.user = get(CURLUPART_USER);
  p.host = get(CURLUPART_HOST);
  p.port = get(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (p.host.empty()) throw Error(Exit::usage, source + ": no host in the URL");
  if (!get(CURLUPART_QUERY).empty() || !get(CURLUPART_FRAGMENT).empty()) {
    throw Error(Exit::usage, source + ": a mailbox URL has no query or fragment");
  }
  std::string path = get(CURLUPART_PATH, CURLU_URLDECODE);
  if (p.protocol == RemoteProtocol::pop3) {
    if (!path.empty() && path != "/") {
      throw Error(Exit::usage, source + ": a POP3 mailbox URL has no path (pop3://USER@HOST:PORT/)");
    }
  } else {
    // imap://USER@HOST/MAILBOX: libcurl's own ";UID=" and the like belong
    // to single messages, not to a mailbox to take everything from.
    p.mailbox = path.empty() || path == "/" ? "INBOX" : path.substr(1);
    if (p.mailbox.find_first_of(";\r\n") != std::string::npos || p.mailbox.find('\0') != std::string::npos) {
      throw Error(Exit::usage, source + ": an IMAP mailbox URL is imap://USER@HOST:PORT/MAILBOX, no ;UID= or the like");
    }
    while (!p.mailbox.empty() && p.mailbox.back() == '/') p.mailbox.pop_back();
    if (p.mailbox.empty()) p.mailbox = "INBOX";
    auto on_server = modified_utf7(p.mailbox);
    if (!on_server) throw Error(Exit::usage, source + ": the mailbox name is not UTF-8 (RFC 5092)");
    p.mailbox_on_server = *on_server;
    p.mailbox_in_url.clear();
    static const char hex[] = "0123456789ABCDEF";
    for (unsigned char c : p.mailbox_on_server) {
      if (std::isalnum(c) || std::strchr("-._~&+,'!$*()=:@/", c)) {
        p.mailbox_in_url += static_cast<char>(c);
      } else {
        p.mailbox_in_url += '%';
        p.mailbox_in_url += hex[c >> 4];
        p.mailbox_in_url += hex[c & 15];
      }
    }
  }
  if (curl.url_set(u.get(), CURLUPART_PATH, "/", 0) != CURLUE_OK) {
    throw Error(Exit::usage, source + ": not a valid URL");
  }
  p.base = get(CURLUPART_URL);
  if (p.base.empty() || p.base.back() != '/') p.base += '/';
  return p;
}

RemoteSession::RemoteSession(std::string source, RemoteUrl url, std::initializer_list<const char*> netrc_variables,
                             SessionLimits limits)
    : source_(std::move(source)), url_(std::move(url)) {
  std::string netrc;
  for (const char* var : netrc_variables) {
    if (const char* value = std::getenv(var); value && *value) {
      netrc = value;
      break;
    }
  }
  if (!netrc.empty() && access(netrc.c_str(), R_OK) != 0) {
    throw system_error(Exit::noinput, "cannot read netrc file " + netrc);
  }
  std::string checked = netrc;
  if (checked.empty()) {  // libcurl's default: $HOME, else the passwd entry's home
    const char* home = std::getenv("HOME");
    if (!home || !*home) {
      const passwd* pw = getpwuid(getuid());
      home = pw ? pw->pw_dir : nullptr;
    }
    if (home && *home) checked = std::string(home) + "/.netrc";
  }
  if (struct stat st{}; !checked.empty() && ::stat(checked.c_str(), &st) == 0 && (st.st_mode & 077)) {
    throw Error(Exit::config, "the netrc file " + checked + " holds passwords and others may read or change it (mode " +
                                  util::file_mode(st.st_mode) + "): chmod 600 " + checked);
  }
  h_ = curl_.easy_init();
  if (!h_) throw Error(Exit::software, "cannot initialise libcurl");
  curl_.easy_setopt(h_, CURLOPT_ERRORBUFFER, errbuf_);
  curl_.easy_setopt(h_, CURLOPT_NOSIGNAL, 1L);
  curl_.easy_setopt(h_, CURLOPT_PROTOCOLS_STR, url_.protocol == RemoteProtocol::pop3 ? "pop3,pop3s" : "imap,imaps");
  curl_.easy_setopt(h_, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_REQUIRED));
  if (!netrc.empty()) curl_.easy_setopt(h_, CURLOPT_NETRC_FILE, netrc.c_str());
  curl_.easy_setopt(h_, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  // The certificate authorities to trust: the system's, or those OpenSSL's
  // own variables name (a private CA, a test server).
  if (const char* file = std::getenv("SSL_CERT_FILE"); file && *file) curl_.easy_setopt(h_, CURLOPT_CAINFO, file);
  if (const char* dir = std::getenv("SSL_CERT_DIR"); dir && *dir) curl_.easy_setopt(h_, CURLOPT_CAPATH, dir);
  curl_.easy_setopt(h_, CURLOPT_CONNECTTIMEOUT, limits.connect_seconds);
  curl_.easy_setopt(h_, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_.easy_setopt(h_, CURLOPT_LOW_SPEED_TIME, limits.silence_seconds);
  curl_.easy_setopt(h_, CURLOPT_WRITEFUNCTION, append_body);
  curl_.easy_setopt(h_, CURLOPT_DEBUGFUNCTION, remember_response);
  curl_.easy_setopt(h_, CURLOPT_DEBUGDATA, &responses_);
  curl_.easy_setopt(h_, CURLOPT_VERBOSE, 1L);  // for the debug function only: it prints nothing
}

RemoteSession::~RemoteSession() {
  if (h_) curl_.easy_cleanup(h_);
}

std::string RemoteSession::run(const std::string& url_tail, const char* command, bool body) {
  std::string out;
  errbuf_[0] = '\0';
  responses_ = {};
  std::string url = url_.base + url_tail;
  curl_.easy_setopt(h_, CURLOPT_URL, url.c_str());
  curl_.easy_setopt(h_, CURLOPT_CUSTOMREQUEST, command);
  curl_.easy_setopt(h_, CURLOPT_NOBODY, body ? 0L : 1L);
  curl_.easy_setopt(h_, CURLOPT_WRITEDATA, &out);
  CURLcode rc = curl_.easy_perform(h_);
  if (rc != CURLE_OK) fail(rc, command ? command : "fetch " + url_tail);
  return out;
}

void RemoteSession::fail(CURLcode rc, const std::string& doing) {
  std::string why = errbuf_[0] ? errbuf_ : curl_.easy_strerror(rc);
  if (!responses_.last_error.empty()) why += " (server: " + responses_.last_error + ")";
  std::string where = source_ + ": " + doing + ": " + why;
  // Dovecot answers a login whose POP3 mailbox another session holds with
  // [IN-USE]; RFC 5530 names IMAP's [UNAVAILABLE] and [INUSE].
  if (says(responses_.last_error, {"[IN-USE]", "[SYS/TEMP]", "[UNAVAILABLE]", "[INUSE]"})) {
    throw Error(Exit::tempfail, where + "; try again later");
  }
  // libcurl reports a refused SELECT (no such mailbox) as a refused login.
  if (says(responses_.last_error, {"[NONEXISTENT]"}) || std::string_view(errbuf_) == "Select failed") {
    throw Error(Exit::noinput, where);
  }
  switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      throw Error(Exit::unavailable, where + " (to trust a private CA, name its certificates in SSL_CERT_FILE)");
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL: throw Error(Exit::usage, where);
    case CURLE_LOGIN_DENIED: throw Error(Exit::noperm, where + " (check the netrc file)");
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_WEIRD_SERVER_REPLY: throw Error(Exit::tempfail, where + "; try again later");
    default: throw Error(Exit::unavailable, where);
  }
}

std::string crlf_to_lf(const std::string& in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\r' && i + 1 < in.size() && in[i + 1] == '\n') continue;
    out += in[i];
  }
  return out;
}

}  // namespace forumgate::spool
