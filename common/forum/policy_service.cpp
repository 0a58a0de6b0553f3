#include "forum/policy_service.hpp"

#include <istream>
#include <map>
#include <memory>
#include <ostream>

#include "cli/log.hpp"
#include "forum/db.hpp"
#include "forum/our_mail.hpp"

namespace forumgate::forum {

namespace {

// Postfix's own limit on an attribute line is far below this.
constexpr std::size_t max_request = 64 << 10;

// One request: its attributes, read up to the empty line; nullopt at the
// end of the input (or a request cut short), Error(64) for one too long.
std::optional<std::map<std::string, std::string>> read_request(std::istream& in) {
  std::map<std::string, std::string> attributes;
  std::size_t size = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) return attributes;
    size += line.size();
    if (size > max_request) throw Error(Exit::usage, "policy request longer than 64 KB");
    auto eq = line.find('=');
    if (eq != std::string::npos) attributes[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return std::nullopt;
}

std::string deferred(const std::string& why) { return "action=DEFER_IF_PERMIT 4.3.0 " + as_one_line(why); }

}  // namespace

// Postfix says the recipient itself ("<rcpt>: Recipient address
// rejected: ..."): the text says why.
std::string policy_answer(const Admission& a) {
  switch (a.verdict) {
    case Admission::Verdict::go_on: return "action=DUNNO";
    case Admission::Verdict::wait:
      return "action=DEFER_IF_PERMIT 4.7.1 too many posts in the last hour, try again later";
    case Admission::Verdict::reject: break;
  }
  const char* code = a.result.status == Exit::nouser ? "5.1.1" : "5.7.1";
  return std::string("action=REJECT ") + code + " " + as_one_line(a.result.reason);
}

Exit run_policy_service(const PolicyServiceOptions& o, std::istream& in, std::ostream& out) {
  std::unique_ptr<Connection> db;
  for (;;) {
    std::optional<std::map<std::string, std::string>> request;
    try {
      request = read_request(in);
    } catch (const Error& e) {
      log::error(e.what());
      return e.status();
    }
    if (!request) return Exit::ok;
    const std::string recipient = (*request)["recipient"];
    const std::string sender = (*request)["sender"];
    std::string answer = "action=DUNNO";
    if ((*request)["protocol_state"] == "RCPT" && ours_to_judge(o.gateway.pattern, recipient)) {
      try {
        if (!db) db = std::make_unique<Connection>(o.connect);
        Gateway gateway(*db, o.profile, o.gateway);
        answer = policy_answer(gateway.admit(sender, recipient));
      } catch (const Error& e) {
        // Ours, not the sender's: the mail waits. A connection that may be
        // gone is made again next time.
        log::warning("policy: " + std::string(e.what()));
        db.reset();
        answer = deferred("the forum cannot be asked now");
      }
      log::info("policy: sender=<" + as_one_line(sender) + "> recipient=<" + as_one_line(recipient) + "> " + answer);
    }
    out << answer << "\n\n" << std::flush;
  }
}

}  // namespace forumgate::forum
