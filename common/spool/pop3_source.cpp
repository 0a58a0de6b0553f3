#include "spool/pop3_source.hpp"

#include <string_view>
#include <vector>

#include "util/error.hpp"
#include "util/text.hpp"

namespace forumgate::spool {
namespace {

// "N UID" lines of a UIDL listing (RFC 1939 §7).
std::vector<RemoteMessage> parse_uidl(const std::string& source, std::string_view text) {
  std::vector<RemoteMessage> out;
  for (std::string_view line : util::split_lines(text)) {
    if (line.empty()) continue;
    size_t sp = line.find(' ');
    bool ok = sp != std::string_view::npos && sp > 0 && sp + 1 < line.size() && line[0] != '0';
    for (size_t i = 0; ok && i < sp; ++i) ok = line[i] >= '0' && line[i] <= '9';
    if (!ok) throw Error(Exit::unavailable, source + ": unexpected UIDL line: " + std::string(line));
    out.push_back({std::string(line.substr(0, sp)), std::string(line.substr(sp + 1))});
  }
  return out;
}

class Pop3Mailbox final : public RemoteMailbox {
 public:
  Pop3Mailbox(const std::string& source, const RemoteUrl& url) : session_(source, url, {mailsplit_netrc}) {}

  std::string validity() override { return "-"; }
  std::vector<RemoteMessage> list() override { return parse_uidl(session_.source(), session_.run("", "UIDL", true)); }
  std::string fetch(const RemoteMessage& m) override { return session_.run(m.number, nullptr, true); }
  void remove(const std::vector<RemoteMessage>& messages) override {
    for (const RemoteMessage& m : messages) session_.run(m.number, "DELE", false);
    // POP3 applies the deletions at QUIT, and says +OK when it has.
    session_.run("", "QUIT", false);
  }

 private:
  RemoteSession session_;
};

}  // namespace

bool is_pop3_url(const std::string& source) {
  return source.rfind("pop3://", 0) == 0 || source.rfind("pop3s://", 0) == 0;
}

std::unique_ptr<RemoteMailbox> open_pop3(const std::string& source, const RemoteUrl& url) {
  return std::make_unique<Pop3Mailbox>(source, url);
}

uint64_t pop3_message_count(RemoteSession& session) {
  session.run("", "STAT", false);
  // "+OK 3 4711": libcurl hands the one-line answer to the debug callback only.
  const std::string& line = session.last_response();
  uint64_t n = 0;
  size_t i = 4;
  bool ok = line.rfind("+OK ", 0) == 0 && i < line.size() && line[i] >= '0' && line[i] <= '9';
  for (; ok && i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i)
    n = n * 10 + static_cast<uint64_t>(line[i] - '0');
  if (!ok) throw Error(Exit::unavailable, session.source() + ": unexpected answer to STAT: " + line);
  return n;
}

}  // namespace forumgate::spool
