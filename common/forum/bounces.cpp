#include "forum/bounces.hpp"

#include "mime/header.hpp"

namespace forumgate::forum {
namespace {

bool hard(const post::BounceRecipient& r) { return r.action == "failed" || (!r.status.empty() && r.status[0] == '5'); }
bool soft(const post::BounceRecipient& r) {
  return !hard(r) && (r.action == "delayed" || (!r.status.empty() && r.status[0] == '4'));
}

}  // namespace

std::vector<BounceReading> read_bounce(const post::Record& record, const std::string& verp_subscriber) {
  std::vector<BounceReading> out;
  if (!record.bounce) {
    if (!verp_subscriber.empty()) out.push_back({verp_subscriber, "", true});
    return out;
  }
  const post::BounceRecipient* worst = nullptr;
  for (const auto& r : record.bounce->recipients) {
    if (!hard(r) && !soft(r)) continue;
    if (verp_subscriber.empty()) {
      out.push_back({mime::to_lower(r.address), r.status, hard(r)});
    } else if (!worst || (hard(r) && !hard(*worst))) {
      worst = &r;
    }
  }
  if (worst) out.push_back({verp_subscriber, worst->status, hard(*worst)});
  return out;
}

BounceStore connection_store(Connection& db, const Profile& profile) {
  return {[&db, &profile](const std::string& name, const std::vector<Value>& params) {
            return db.query(profile.sql(name), params);
          },
          [&db, &profile](const std::string& name, const std::vector<Value>& params) {
            db.execute(profile.sql(name), params);
          }};
}

BounceResult record_bounces(const BounceStore& store, const std::string& forum,
                            const std::vector<BounceReading>& readings, const BounceLimits& limits, std::int64_t now) {
  BounceResult result;
  for (const auto& b : readings) {
    auto rows = store.read("find_subscription", {forum, b.subscriber});
    if (rows.empty()) continue;  // not (or no longer) a subscriber of this forum
    const std::string address = rows[0][0].value_or(b.subscriber);
    store.write("record_bounce", {forum, address, now, b.status.substr(0, 16), std::int64_t{b.hard}});
    result.counted.push_back(address);
    if (!b.hard || std::stoll(rows[0][1].value_or("0")) != 0) continue;
    const std::int64_t since = now - static_cast<std::int64_t>(limits.days) * 86400;
    auto count = store.read("count_hard_bounces", {forum, address, since});
    if (count.empty() || std::stoll(count[0][0].value_or("0")) < static_cast<std::int64_t>(limits.limit)) continue;
    std::string reason = std::to_string(limits.limit) + " hard bounces in " + std::to_string(limits.days) +
                         " days, the last " + (b.status.empty() ? std::string("without a status") : b.status);
    // It was enabled when read, in this transaction.
    store.write("disable_subscription", {now, reason, forum, address});
    result.disabled.push_back(address);
  }
  return result;
}

}  // namespace forumgate::forum
