#include "spool/pop3_source.hpp"

#include <curl/curl.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "cli/error.hpp"

namespace forumgate::spool {
namespace {

struct Listed {
  uint64_t number;
  std::string uid;
};

// The URL, checked: a pop3:// or pop3s:// URL with no password and no path
// but "/". Returns the base URL ending in "/", to which a message number is
// appended for RETR and DELE, and the user (for messages).
struct ParsedUrl {
  std::string base;
  std::string user;
  std::string host;
};

ParsedUrl parse_url(const std::string& source) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), &curl_url_cleanup);
  if (!u) throw Error(Exit::software, "out of memory");
  if (curl_url_set(u.get(), CURLUPART_URL, source.c_str(), 0) != CURLUE_OK) {
    throw Error(Exit::usage, source + ": not a valid URL");
  }
  auto get = [&](CURLUPart part) {
    char* s = nullptr;
    std::string out;
    if (curl_url_get(u.get(), part, &s, 0) == CURLUE_OK && s) out = s;
    curl_free(s);
    return out;
  };
  char* pw = nullptr;
  bool has_password = curl_url_get(u.get(), CURLUPART_PASSWORD, &pw, 0) == CURLUE_OK;
  curl_free(pw);
  if (has_password) {
    throw Error(Exit::usage,
                "put the password in a netrc file ($MAILSPLIT_NETRC, else ~/.netrc), not in the URL, "
                "where ps(1) and shell histories show it");
  }
  ParsedUrl p;
  p.user = get(CURLUPART_USER);
  p.host = get(CURLUPART_HOST);
  if (p.host.empty()) throw Error(Exit::usage, source + ": no host in the URL");
  std::string path = get(CURLUPART_PATH);
  if (!path.empty() && path != "/") {
    throw Error(Exit::usage, source + ": a POP3 mailbox URL has no path (pop3://USER@HOST:PORT/)");
  }
  if (curl_url_set(u.get(), CURLUPART_PATH, "/", 0) != CURLUE_OK) {
    throw Error(Exit::usage, source + ": not a valid URL");
  }
  p.base = get(CURLUPART_URL);
  if (p.base.empty() || p.base.back() != '/') p.base += '/';
  return p;
}

size_t append_body(char* data, size_t size, size_t n, void* userdata) {
  static_cast<std::string*>(userdata)->append(data, size * n);
  return size * n;
}

// The server's last response line, for error messages ("-ERR [AUTH] ...").
int remember_response(CURL*, curl_infotype type, char* data, size_t size, void* userdata) {
  if (type == CURLINFO_HEADER_IN) {
    std::string line(data, size);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (!line.empty()) *static_cast<std::string*>(userdata) = line;
  }
  return 0;
}

// One POP3 session: one easy handle, its connection reused by every command.
class Session {
 public:
  Session(const std::string& source, const ParsedUrl& url) : source_(source), url_(url) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    h_ = curl_easy_init();
    if (!h_) throw Error(Exit::software, "cannot initialise libcurl");
    curl_easy_setopt(h_, CURLOPT_ERRORBUFFER, errbuf_);
    curl_easy_setopt(h_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h_, CURLOPT_PROTOCOLS_STR, "pop3,pop3s");
    curl_easy_setopt(h_, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_REQUIRED));
    if (const char* netrc = std::getenv("MAILSPLIT_NETRC"); netrc && *netrc) {
      if (access(netrc, R_OK) != 0) throw system_error(Exit::noinput, "cannot read netrc file " + std::string(netrc));
      curl_easy_setopt(h_, CURLOPT_NETRC_FILE, netrc);
    }
    // pop3:// goes over to TLS when the server offers STLS; pop3s:// is TLS from the start.
    curl_easy_setopt(h_, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
    curl_easy_setopt(h_, CURLOPT_CONNECTTIMEOUT, 30L);
    // A server that stops answering mid-session: give up after two minutes of silence.
    curl_easy_setopt(h_, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h_, CURLOPT_LOW_SPEED_TIME, 120L);
    curl_easy_setopt(h_, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(h_, CURLOPT_DEBUGFUNCTION, remember_response);
    curl_easy_setopt(h_, CURLOPT_DEBUGDATA, &last_response_);
    curl_easy_setopt(h_, CURLOPT_VERBOSE, 1L);  // for the debug function only: it prints nothing
  }
  ~Session() {
    // Sends QUIT when the connection is still open and QUIT was not sent yet.
    if (h_) curl_easy_cleanup(h_);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Runs command (nullptr: RETR for a message URL, LIST for the base) on
  // base + what, returning the multi-line body when body is true.
  std::string run(const std::string& what, const char* command, bool body) {
    std::string out;
    errbuf_[0] = '\0';
    last_response_.clear();
    std::string url = url_.base + what;
    curl_easy_setopt(h_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h_, CURLOPT_CUSTOMREQUEST, command);
    curl_easy_setopt(h_, CURLOPT_NOBODY, body ? 0L : 1L);
    curl_easy_setopt(h_, CURLOPT_WRITEDATA, &out);
    CURLcode rc = curl_easy_perform(h_);
    if (rc != CURLE_OK) fail(rc, command ? command : "RETR " + what);
    return out;
  }

 private:
  [[noreturn]] void fail(CURLcode rc, const std::string& doing) {
    std::string why = errbuf_[0] ? errbuf_ : curl_easy_strerror(rc);
    if (!last_response_.empty() && last_response_[0] == '-') why += " (server: " + last_response_ + ")";
    std::string where = source_ + ": " + doing + ": " + why;
    switch (rc) {
      case CURLE_URL_MALFORMAT:
      case CURLE_UNSUPPORTED_PROTOCOL:
        throw Error(Exit::usage, where);
      case CURLE_LOGIN_DENIED:
        // Dovecot answers a login whose mailbox another session holds with [IN-USE].
        if (last_response_.find("[IN-USE]") != std::string::npos ||
            last_response_.find("[SYS/TEMP]") != std::string::npos) {
          throw Error(Exit::tempfail, where + "; try again later");
        }
        throw Error(Exit::noperm, where + " (check the netrc file)");
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
      case CURLE_COULDNT_CONNECT:
      case CURLE_OPERATION_TIMEDOUT:
      case CURLE_RECV_ERROR:
      case CURLE_SEND_ERROR:
      case CURLE_GOT_NOTHING:
      case CURLE_PARTIAL_FILE:
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_WEIRD_SERVER_REPLY:
        throw Error(Exit::tempfail, where + "; try again later");
      default:
        throw Error(Exit::unavailable, where);
    }
  }

  std::string source_;
  ParsedUrl url_;
  CURL* h_ = nullptr;
  char errbuf_[CURL_ERROR_SIZE] = {};
  std::string last_response_;
};

// "N UID" lines of a UIDL listing.
std::vector<Listed> parse_uidl(const std::string& source, std::string_view text) {
  std::vector<Listed> out;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    size_t sp = line.find(' ');
    uint64_t n = 0;
    bool ok = sp != std::string_view::npos && sp > 0;
    for (size_t i = 0; ok && i < sp; ++i) {
      if (line[i] < '0' || line[i] > '9') ok = false;
      else n = n * 10 + static_cast<uint64_t>(line[i] - '0');
    }
    if (!ok || n == 0) throw Error(Exit::unavailable, source + ": unexpected UIDL line: " + std::string(line));
    out.push_back({n, std::string(line.substr(sp + 1))});
  }
  return out;
}

// POP3 sends CRLF line ends (RFC 1939); a queue Maildir stores LF ones, as
// maildir(5) expects. A CR not before an LF stays.
std::string crlf_to_lf(const std::string& in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\r' && i + 1 < in.size() && in[i + 1] == '\n') continue;
    out += in[i];
  }
  return out;
}


}  // namespace

bool is_pop3_url(const std::string& source) {
  return source.rfind("pop3://", 0) == 0 || source.rfind("pop3s://", 0) == 0;
}

SplitReport split_pop3(const SplitRequest& rq, MessageSink& sink) {
  if (rq.drain && !sink.durable()) {
    throw Error(Exit::usage, "--drain needs a durable destination: a queue Maildir, -o DIR, or --stdout into a file");
  }
  SplitReport report;
  std::vector<uint64_t> taken;
  ParsedUrl url = parse_url(rq.source);
  std::unique_ptr<Session> session;
  try {
    session = std::make_unique<Session>(rq.source, url);
    std::vector<Listed> listed = parse_uidl(rq.source, session->run("", "UIDL", true));
    for (const Listed& m : listed) {
      if (rq.cancel && *rq.cancel) throw Interrupted();  // nothing deleted yet
      std::string data = crlf_to_lf(session->run(std::to_string(m.number), nullptr, true));
      Placement placed = sink.add({make_from_line(data, time(nullptr)), "", data});
      if (placed.taken) taken.push_back(m.number);
      ++(placed.taken ? report.taken : report.kept);
      report.bytes += data.size();
      if (rq.on_message) {
        rq.on_message(0, data.size(),
                      placed.where + " <- message " + std::to_string(m.number) + " (" + m.uid + ")");
      }
    }
    sink.commit(rq.drain);
  } catch (...) {
    sink.rollback();
    throw;  // nothing was marked deleted; ~Session ends the session
  }
  if (!rq.drain) return report;  // ~Session sends QUIT
  // Every copy is durable: mark the messages deleted, then QUIT, at which
  // the server applies the deletions. A failure from here on leaves the
  // messages on the server as well as in the queue (all of them, or, when the
  // server died while expunging at QUIT, some): the next run takes those
  // again (see the header).
  try {
    for (uint64_t n : taken) session->run(std::to_string(n), "DELE", false);
    session->run("", "QUIT", false);
  } catch (const Error& e) {
    throw Error(e.status(), std::string(e.what()) +
                                " (the messages taken are in the queue; those still on the server will be taken again)");
  }
  report.drained = true;
  return report;
}

}  // namespace forumgate::spool
