#include "forum/gateway.hpp"

#include <chrono>

#include "cli/log.hpp"
#include "forum/body.hpp"
#include "mime/header.hpp"

namespace forumgate::forum {

Policy parse_policy(const std::string& name) {
  for (Policy p : {Policy::open, Policy::members, Policy::moderated})
    if (name == to_string(p)) return p;
  throw Error(Exit::config, "unknown sender policy \"" + name + "\" (open, members, moderated)");
}

std::string_view to_string(Policy policy) {
  switch (policy) {
    case Policy::open: return "open";
    case Policy::members: return "members";
    case Policy::moderated: return "moderated";
  }
  return "open";
}

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::posted: return "posted";
    case Outcome::duplicate: return "duplicate";
    case Outcome::ignored: return "ignored";
    case Outcome::requested: return "confirmation sent";
    case Outcome::subscribed: return "subscribed";
    case Outcome::unsubscribed: return "unsubscribed";
    case Outcome::refused: return "refused";
    case Outcome::deferred: return "deferred";
  }
  return "refused";
}

std::int64_t Gateway::now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Result Gateway::refused(Exit status, std::string reason, std::string notice) {
  Result r;
  r.outcome = Outcome::refused;
  r.status = status;
  r.reason = std::move(reason);
  r.notice = std::move(notice);
  return r;
}

Gateway::Gateway(Connection& db, Profile profile, GatewayOptions options)
    : db_(db),
      profile_(std::move(profile)),
      o_(std::move(options)),
      web_id_(o_.web_message_id),
      group_(db_, profile_, o_.dry_run, o_.print) {}

Result Gateway::handle(const post::Record& record) {
  group_.take_replay();  // none is left from before
  // The caller's, for this message only, whatever way it ends.
  struct Forget {
    std::vector<const post::Record*>& upcoming;
    ~Forget() { upcoming.clear(); }
  } forget{upcoming_};
  Result r = handle_undoable(record);
  if (group_.take_replay()) {
    r.outcome = Outcome::deferred;
    r.status = Exit::tempfail;
    if (r.reason.rfind("the group is rolled back", 0) != 0)
      r.reason = "the group is rolled back to undo this message: " + r.reason;
    r.replay = true;
  }
  return r;
}

Result Gateway::handle_undoable(const post::Record& record) {
  try {
    Result r = handle_or_throw(record);
    // For the forum's administrator: what was refused or ignored, and why.
    // Written like the message's own writes, so that an error here is
    // handled as theirs would be.
    // Best effort: the message's own outcome stands whatever happens here,
    // unless the group's transaction itself was lost.
    if ((r.outcome == Outcome::refused && !group_.replay()) || r.outcome == Outcome::ignored) {
      try {
        group_.write(
            "record_rejection",
            {now(), fit_charset(r.forum, "latin1"), truncate_html(fit_charset(record.from.address, "latin1"), 255),
             ascii_id(record.message_id.value_or("")),
             truncate_html(fit_charset(std::string(to_string(r.outcome)) + ": " + r.reason, "latin1"), 255)});
      } catch (const Error& e) {
        if (e.status() == Exit::tempfail && group_.grouped()) throw;
        log::warning("the rejection could not be recorded: " + std::string(e.what()));
      }
    }
    if (r.outcome == Outcome::refused && !group_.replay() && !r.notice.empty()) {
      try {
        std::string recipient = o_.recipient.value_or(record.recipient.value_or(""));
        if (recipient.empty() && !record.to.empty()) recipient = record.to[0].address;
        send_notice(record, r, recipient);
      } catch (const Error& e) {
        if (e.status() == Exit::tempfail && group_.grouped()) throw;
        log::warning("no notice could be sent: " + std::string(e.what()));
      }
    }
    return r;
  } catch (const ReplayGroup& e) {
    // A subscription request commits the group before its mail goes: the
    // group was rolled back there, and is to be handed in again, then this.
    group_.replay_message();
    Result r;
    r.reason = e.what();
    return r;
  } catch (const Error& e) {
    // The server gone, a deadlock: the group's transaction is no more.
    // Another error undoes only this message's writes.
    group_.fail_message(e);
    Result r = refused(e.status(), e.what());
    r.conflict = is_conflict(e);
    // A configuration problem (a forum's table lacking a column, a grant
    // missing) is the administrator's to fix, not the message's fault: it
    // waits in the queue rather than going to .failed/.
    if (e.status() == Exit::tempfail || e.status() == Exit::config) r.outcome = Outcome::deferred;
    return r;
  }
}

std::vector<std::string> Gateway::recipients(const post::Record& record) const {
  std::vector<std::string> candidates;
  if (o_.recipient) candidates.push_back(*o_.recipient);
  if (record.recipient) candidates.push_back(*record.recipient);
  candidates.insert(candidates.end(), record.delivered_to.begin(), record.delivered_to.end());
  for (const auto& m : record.to) candidates.push_back(m.address);
  for (const auto& m : record.cc) candidates.push_back(m.address);
  return candidates;
}

std::optional<Route> Gateway::route(const post::Record& record, std::string& routed) const {
  for (const auto& address : recipients(record))
    if (auto r = o_.pattern.match(address)) {
      routed = address;
      return r;
    }
  return std::nullopt;
}

std::optional<Forum> Gateway::find_forum(const std::string& name) {
  if (auto it = forums_.find(name); it != forums_.end()) return it->second;
  std::optional<Forum> f = read_forum(db_, profile_, name);
  if (f) forums_.emplace(name, *f);
  return f;
}

Result Gateway::handle_or_throw(const post::Record& record) {
  // Before anything else: a bounce of our own mail says which subscriber
  // failed, and an auto-reply to that address is answered by nobody.
  if (!o_.forum)
    if (auto target = bounce_target(record)) return bounce(record, *target);
  if (record.auto_kind != "none") {
    Result r;
    r.outcome = Outcome::ignored;
    r.reason = record.auto_kind;
    return r;
  }
  std::string routed;
  std::optional<Route> route;
  if (o_.forum) route = Route{mime::to_lower(*o_.forum), Action::post, ""};
  else route = this->route(record, routed);
  if (!route)
    return refused(Exit::nouser, "no recipient is a forum address (" + o_.pattern.pattern() + ")", "unknown-forum");
  if (o_.action) route->action = *o_.action;
  std::optional<Forum> forum;
  if (auto r = unknown_forum(route->forum, forum)) return *r;
  Result r;
  std::string key_note;
  switch (route->action) {
    case Action::post:
      r = post(record, *forum, keyed_parent(record, *route, key_note));
      if (!key_note.empty() && r.reason.empty()) r.reason = key_note;
      break;
    case Action::subscribe:
    case Action::unsubscribe: r = request(record, *forum, route->action); break;
    case Action::confirm: r = confirm(record, *forum, route->token); break;
  }
  r.forum = forum->name;
  r.action = std::string(to_string(route->action));
  return r;
}

}  // namespace forumgate::forum
