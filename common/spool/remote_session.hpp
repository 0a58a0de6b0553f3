#pragma once
// One session with a POP3 or IMAP server through libcurl's easy interface:
// one connection and one login, reused by every command of a run. What the
// POP3 and IMAP sources and spoolcheck's remote checks share: the URL
// rules, the credentials (from a netrc file only, never the URL), TLS
// (STLS/STARTTLS when offered; the system's CAs or SSL_CERT_FILE/DIR),
// the timeouts and the exit status of a failure (Error):
//   64 a malformed URL or a password in it;
//   66 the netrc file named by the environment is unreadable;
//   78 the netrc file may be read or changed by others than its owner;
//   75 unreachable, the session broke, or "try later" ([IN-USE], [SYS/TEMP],
//      [UNAVAILABLE]);
//   77 the login refused;  69 any other protocol failure.

#include <chrono>
#include <initializer_list>
#include <string>
#include <string_view>

#include "spool/libcurl.hpp"

namespace forumgate::spool {

enum class RemoteProtocol { pop3, imap };

// A pop3[s]:// or imap[s]:// URL, checked (no password), taken apart.
struct RemoteUrl {
  RemoteProtocol protocol = RemoteProtocol::pop3;
  std::string user;
  std::string host;
  std::string port;     // the default one filled in when the URL had none
  std::string mailbox;  // IMAP: the path, URL-decoded, UTF-8 ("INBOX" when empty); POP3: ""
  // The name as the server knows it, in IMAP's modified UTF-7 (RFC 3501
  // 5.1.3; RFC 5092 puts UTF-8 in URLs), and that percent-encoded for the
  // URLs libcurl gets, which it sends as they are.
  std::string mailbox_on_server;
  std::string mailbox_in_url;
  std::string base;  // scheme://user@host:port/ : commands without a mailbox

  // "pop3 alice@mail.example.org:995", "imap alice@host:143/INBOX": which
  // mailbox this is, whatever the scheme's TLS; names the UID memory.
  std::string identity() const;
};

// Whether source starts with pop3://, pop3s://, imap:// or imaps://.
bool is_remote_url(std::string_view source);

// Throws Error(64) for a malformed URL, a password in it, a POP3 URL with
// a path, or another scheme.
RemoteUrl parse_remote_url(const std::string& source);

struct SessionLimits {
  long connect_seconds = 30;
  // A server that stops answering mid-session: give up after this much silence.
  long silence_seconds = 120;
};

// What the server answered to the last request, as libcurl's debug
// callback saw it.
struct ResponseLines {
  std::string last;
  std::string last_error;  // the last -ERR, NO or BAD
};

class RemoteSession {
 public:
  // netrc_variables: the environment variables that may name the netrc
  // file, in order of preference; when none is set, ~/.netrc.
  RemoteSession(std::string source, RemoteUrl url, std::initializer_list<const char*> netrc_variables,
                SessionLimits limits = {});
  ~RemoteSession();  // sends QUIT or LOGOUT when the connection is still open
  RemoteSession(const RemoteSession&) = delete;
  RemoteSession& operator=(const RemoteSession&) = delete;

  // Runs one request on url_tail appended to the base URL: command
  // (nullptr: libcurl's own, such as RETR or UID FETCH for a message URL),
  // returning what libcurl hands the body callback (a message; for a custom
  // IMAP command its untagged responses; for POP3 LIST/UIDL the listing).
  // body false: a POP3 command with a one-line answer (NOBODY).
  std::string run(const std::string& url_tail, const char* command, bool body = true);

  // The server's last response line ("+OK 3 4711", "A004 OK ..."), for
  // answers libcurl hands only to its debug callback.
  const std::string& last_response() const { return responses_.last; }
  const RemoteUrl& url() const { return url_; }
  const std::string& source() const { return source_; }

 private:
  [[noreturn]] void fail(CURLcode rc, const std::string& doing);

  std::string source_;
  RemoteUrl url_;
  const Libcurl& curl_ = libcurl();
  CURL* h_ = nullptr;
  char errbuf_[CURL_ERROR_SIZE] = {};
  ResponseLines responses_;
};

// A server's CRLF line ends made LF, as a queue Maildir stores them
// (maildir(5)). A CR not before an LF stays.
std::string crlf_to_lf(const std::string& in);

}  // namespace forumgate::spool
