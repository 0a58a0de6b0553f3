// Subscriptions: a request is answered with a mail whose reply confirms
// it; the confirmation (un)subscribes. A token is random, single-use and
// expires.

#include "forum/gateway.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "forum/our_mail.hpp"
#include "process/command.hpp"
#include "util/fd.hpp"

namespace forumgate::forum {

namespace {

std::string random_token() {
  unsigned char bytes[16];
  util::Fd fd(::open("/dev/urandom", O_RDONLY | O_CLOEXEC));
  if (!fd.valid() || ::read(fd.get(), bytes, sizeof bytes) != static_cast<ssize_t>(sizeof bytes))
    throw Error(Exit::software, "cannot read /dev/urandom");
  static const char hex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char b : bytes) {
    token += hex[b >> 4];
    token += hex[b & 15];
  }
  return token;
}

}  // namespace

Result Gateway::request(const post::Record& record, const Forum& forum, Action action) {
  const std::string& address = record.from.address;
  if (address.empty() || !record.envelope_sender.value_or("x").size())
    return refused(Exit::dataerr, "no address to confirm with (no From, or a null sender)");
  if (!sendable_address(address)) return refused(Exit::dataerr, "cannot send a confirmation to \"" + address + "\"");
  const std::string token = random_token();
  const std::int64_t t = now();
  group_.begin_message();
  group_.write("add_confirmation", {token, forum.name, address, std::string(to_string(action)),
                                    t + static_cast<std::int64_t>(o_.confirm_hours) * 3600});
  group_.end_message({});
  // A token must be in the database before its mail goes out.
  group_.commit_if_open();
  // Our addresses come from --address alone: the domain a request was
  // sent to is the sender's to choose, and whoever holds that domain would
  // read the token.
  const std::string from = o_.pattern.address(forum.name);
  const std::string confirm_address = o_.pattern.address(forum.name, "-confirm-" + token);
  OurMailHeader header;
  header.add("From", from);
  header.add("To", address);
  header.add("Reply-To", confirm_address);
  header.add("Subject", "Confirm: " + std::string(to_string(action)) + " " + forum.name + " [" + token + "]");
  header.add("Auto-Submitted", "auto-replied");
  if (!o_.loop_value.empty()) header.add("X-Loop", o_.loop_value);
  if (record.message_id) header.add_id("In-Reply-To", *record.message_id);
  std::string mail = header.text();
  mail += "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n";
  mail += "Someone, probably you, asked to " + std::string(to_string(action)) + " " + address + " " +
          (action == Action::subscribe ? "to" : "from") + " the forum " + forum.name + ".\n\n" +
          "To confirm, reply to this message, or send any message to\n  " + confirm_address + "\n\n" +
          "If you did not ask for this, do nothing: the request expires in " + std::to_string(o_.confirm_hours) +
          " hours.\n";
  if (o_.dry_run) {
    if (o_.print) o_.print("sendmail: " + o_.sendmail + "\n" + mail);
  } else {
    int status = process::run_with_input(process::command_argv(o_.sendmail), {mail}, {});
    if (status != 0)
      throw Error(Exit::tempfail,
                  "the confirmation mail could not be sent: " + o_.sendmail + " exited with " + std::to_string(status));
  }
  Result r;
  r.outcome = Outcome::requested;
  return r;
}

Result Gateway::confirm(const post::Record& record, const Forum& forum, const std::string& token) {
  (void)record;
  const std::int64_t t = now();
  group_.begin_message();
  auto rows = group_.read("take_confirmation", {token});
  if (rows.empty() || !rows[0][0] || *rows[0][0] != forum.name || to_int(rows[0][3]) < t) {
    group_.undo_message();
    return refused(Exit::nouser, "no such confirmation, or it has expired", "confirmation");
  }
  const std::string address = rows[0][1].value_or("");
  const bool subscribe = rows[0][2].value_or("") == "subscribe";
  group_.write(subscribe ? "subscribe" : "unsubscribe",
               subscribe ? std::vector<Value>{forum.name, address, t} : std::vector<Value>{forum.name, address});
  group_.write("drop_confirmation", {token, t});
  group_.end_message({});
  Result r;
  r.outcome = subscribe ? Outcome::subscribed : Outcome::unsubscribed;
  r.reason = address;
  return r;
}

}  // namespace forumgate::forum
