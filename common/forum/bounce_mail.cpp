// Bounces of the forum's own mail: what comes to forumnotify's envelope
// sender is counted against the subscriber whose mail failed
// (forum/bounces.hpp), and never posted or answered.

#include "forum/gateway.hpp"

#include "cli/log.hpp"
#include "forum/our_mail.hpp"

namespace forumgate::forum {

std::optional<BounceTarget> Gateway::bounce_target(const post::Record& record) const {
  if (!o_.bounce) return std::nullopt;
  // The first address that is ours decides, as for a post: a reply to all
  // that names the bounce address in Cc is still a post.
  for (const auto& address : recipients(record)) {
    if (auto target = o_.bounce->match(address)) return target;
    if (o_.pattern.match(address)) return std::nullopt;
  }
  return std::nullopt;
}

Result Gateway::bounce(const post::Record& record, const BounceTarget& target) {
  Result r;
  r.outcome = Outcome::ignored;
  r.forum = target.forum;
  r.action = "bounce";
  // A vacation reply, or someone writing to the address, failed nothing.
  if (record.auto_kind != "bounce" && !record.bounce) {
    r.reason = "to the bounce address, and not a bounce";
    return r;
  }
  const std::vector<BounceReading> readings = read_bounce(record, target.subscriber);
  if (readings.empty()) {
    r.reason = "a bounce that says nothing failed or was delayed";
    return r;
  }
  BounceStore store{
      [this](const std::string& name, const std::vector<Value>& params) { return group_.read(name, params); },
      [this](const std::string& name, const std::vector<Value>& params) { group_.write(name, params); }};
  group_.begin_message();
  const BounceResult counted = record_bounces(store, target.forum, readings, o_.bounce_limits, now());
  group_.end_message({});
  if (counted.counted.empty()) {
    r.reason = "a bounce for no subscriber of " + target.forum;
    return r;
  }
  std::string who;
  for (const auto& address : counted.counted) who += (who.empty() ? "" : ", ") + address;
  r.reason = "a bounce, counted for " + who;
  for (const auto& address : counted.disabled) {
    r.reason += "; the subscription of " + address + (o_.dry_run ? " would be" : " is") + " disabled";
    if (o_.dry_run) continue;
    log::notice("forum " + as_one_line(target.forum) + ": the subscription of " + as_one_line(address) +
                " is disabled (bounces)");
  }
  return r;
}

}  // namespace forumgate::forum
