#pragma once
// Bounces of the forum's own mail, counted per subscriber: a subscription
// is disabled, with the reason recorded, after limit hard bounces on as
// many days within the last days days (Mailman's way: at most one a day
// counts, so that one broken night does not end a subscription).
//
// A hard bounce is a delivery status report's failed action or 5.x.x
// status, or a bounce without a report (an old MTA's plain text: its VERP
// address still says whose mail failed); a 4.x.x delay warning is
// recorded, not counted. A report that says nothing failed or was delayed
// is no bounce.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "forum/db.hpp"
#include "forum/profile.hpp"
#include "post/record.hpp"

namespace forumgate::forum {

struct BounceLimits {
  unsigned limit = 5;  // hard bounces, on different days
  unsigned days = 7;   // within this many days
};

struct BounceReading {
  std::string subscriber;  // whose mail failed
  std::string status;      // RFC 3463, "" when unknown
  bool hard = false;
};

// What record, a bounce that came to forum's bounce address, says: about
// verp_subscriber when the address named one (the report only says how
// it failed: a forwarded address fails under another name), else about
// each recipient the report names.
std::vector<BounceReading> read_bounce(const post::Record& record, const std::string& verp_subscriber);

struct BounceResult {
  std::vector<std::string> counted;   // subscribers whose bounce was recorded
  std::vector<std::string> disabled;  // subscriptions disabled by it
};

// How the profile's statements (find_subscription, record_bounce,
// count_hard_bounces, disable_subscription) are run: on a connection, or
// in forumpost's transaction of the message (which prints them instead in
// a dry run).
struct BounceStore {
  std::function<std::vector<Row>(const std::string& name, const std::vector<Value>& params)> read;
  std::function<void(const std::string& name, const std::vector<Value>& params)> write;
};

// The store that runs each statement on db at once.
BounceStore connection_store(Connection& db, const Profile& profile);

// Records each reading that is a subscriber of forum, and disables the
// subscriptions past the limits, in the caller's transaction (or none).
BounceResult record_bounces(const BounceStore& store, const std::string& forum,
                            const std::vector<BounceReading>& readings, const BounceLimits& limits, std::int64_t now);

}  // namespace forumgate::forum
