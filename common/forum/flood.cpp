// Flood control: posts counted per sender and per forum in the gateway's
// own table ({site}_fg_rates, a row per minute), so that the counts hold
// across runs and restarts. Within the last 60 minutes: under the limit a
// message is posted; at it, it waits (deferred: it stays queued, or the
// MTA keeps it); once the posts and the waits reach the hide limit, the
// rest is posted hidden, for a moderator, rather than waiting for ever.

#include "forum/gateway.hpp"

#include "forum/body.hpp"
#include "mime/header.hpp"

namespace forumgate::forum {

namespace {

std::int64_t minute(std::int64_t t) { return t / 60; }

// What one limit says of counts (posts, waits).
Flood judge(std::pair<std::int64_t, std::int64_t> counts, unsigned limit, unsigned hide) {
  if (limit == 0 || counts.first < limit) return Flood::post;
  const std::int64_t second = hide ? hide : 2 * static_cast<std::int64_t>(limit);
  return counts.first + counts.second >= second ? Flood::hide : Flood::wait;
}

}  // namespace

std::string_view to_string(Flood flood) {
  switch (flood) {
    case Flood::post: return "post";
    case Flood::wait: return "wait";
    case Flood::hide: return "hide";
  }
  return "post";
}

std::string Gateway::rate_name(const std::string& sender) { return fit_charset(mime::to_lower(sender), "latin1"); }

std::pair<std::int64_t, std::int64_t> Gateway::rate_counts(const std::string& scope, const std::string& name) {
  const std::int64_t since = minute(now()) - 60;
  if (!rates_expired_) {
    // Once a run: rows older than the window are of no use.
    rates_expired_ = true;
    if (!o_.dry_run) group_.write("rate_expire", {since});
  }
  auto rows = group_.read("rate_count", {scope, name, since});
  if (rows.empty()) return {0, 0};
  return {to_int(rows[0][0]), to_int(rows[0][1])};
}

Flood Gateway::flood(const std::string& sender, const std::string& forum) {
  Flood f = Flood::post;
  if (o_.sender_limit) f = judge(rate_counts("sender", rate_name(sender)), o_.sender_limit, o_.sender_hide);
  if (o_.forum_limit && f != Flood::hide)
    f = std::max(f, judge(rate_counts("forum", forum), o_.forum_limit, o_.forum_hide));
  return f;
}

void Gateway::count_rate(const std::string& sender, const std::string& forum, bool posted) {
  const std::int64_t m = minute(now());
  const std::int64_t post = posted ? 1 : 0, wait = posted ? 0 : 1;
  if (o_.sender_limit) group_.write("rate_add", {std::string("sender"), rate_name(sender), m, post, wait});
  if (o_.forum_limit) group_.write("rate_add", {std::string("forum"), forum, m, post, wait});
}

}  // namespace forumgate::forum
