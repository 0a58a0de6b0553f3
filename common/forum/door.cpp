// What the envelope alone decides: which forum a recipient is, whether it
// exists, whether the sender may post there (members-only forums) and
// whether it is over its rate. forumpost asks the same questions of each
// message (handle, post) and the policy service (policy_service.hpp) of
// each RCPT, so that the two never disagree.

#include "forum/gateway.hpp"

#include "mime/header.hpp"

namespace forumgate::forum {

Policy Gateway::policy_of(const Forum& forum) const {
  auto it = o_.policies.find(forum.name);
  return it == o_.policies.end() ? o_.default_policy : it->second;
}

std::optional<Result> Gateway::unknown_forum(const std::string& name, std::optional<Forum>& forum) {
  forum = find_forum(name);
  if (forum) return std::nullopt;
  Result r = refused(Exit::nouser, "no forum is named \"" + name + "\"", "unknown-forum");
  r.forum = name;
  return r;
}

std::optional<Result> Gateway::sender_refused(const std::string& sender, const Forum& forum,
                                              std::optional<Member>& member) {
  member = find_member(sender);
  if (policy_of(forum) != Policy::members) return std::nullopt;
  if (!member) return refused(Exit::noperm, sender + " is not a member of " + forum.name, "not-member");
  if (!may_write(*member, forum))
    return refused(Exit::noperm, member->userid + " may not write to " + forum.name, "not-permitted");
  return std::nullopt;
}

bool ours_to_judge(const AddressPattern& pattern, const std::string& recipient) {
  const std::string local = mime::to_lower(recipient.substr(0, recipient.rfind('@')));
  // RFC 5321 4.5.1: postmaster is always accepted.
  if (local == "postmaster") return false;
  if (pattern.match(recipient)) return true;
  // Another address is ours to refuse only in our own domain.
  const std::string& p = pattern.pattern();
  const auto at = recipient.rfind('@'), pat = p.rfind('@');
  return p.back() != '@' && at != std::string::npos && pat != std::string::npos &&
         mime::iequals(recipient.substr(at), p.substr(pat));
}

Admission Gateway::admit(const std::string& sender, const std::string& recipient) {
  Admission a;
  // A bounce (null sender) is the message's to tell, whatever address it
  // comes back to (a VERP address is no forum's): forumpost reads it.
  if (sender.empty() || !ours_to_judge(o_.pattern, recipient)) return a;
  std::optional<Route> route = o_.pattern.match(recipient);
  if (!route) {
    a.verdict = Admission::Verdict::reject;
    a.result = refused(Exit::nouser, "no recipient is a forum address (" + o_.pattern.pattern() + ")", "unknown-forum");
    return a;
  }
  std::optional<Forum> forum;
  if (auto r = unknown_forum(route->forum, forum)) {
    a.verdict = Admission::Verdict::reject;
    a.result = *r;
    return a;
  }
  // Only posts are checked further.
  if (route->action != Action::post) return a;
  std::optional<Member> member;
  if (auto r = sender_refused(sender, *forum, member)) {
    a.verdict = Admission::Verdict::reject;
    a.result = *r;
    return a;
  }
  if (flood(sender, forum->name) == Flood::wait) a.verdict = Admission::Verdict::wait;
  return a;
}

}  // namespace forumgate::forum
