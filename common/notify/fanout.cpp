#include "notify/fanout.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <set>

#include "cli/log.hpp"
#include "forum/bounce_address.hpp"
#include "forum/route.hpp"
#include "mime/header.hpp"
#include "notify/message.hpp"
#include "notify/post_reader.hpp"

namespace forumgate::notify {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::int64_t to_int(const std::optional<std::string>& s) { return s && !s->empty() ? std::stoll(*s) : 0; }

bool has(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

// The RFC 3463 code in an SMTP reply ("550 5.1.1 <x>: unknown"), else 5.0.0.
std::string smtp_status(const std::string& reply) {
  for (std::size_t i = 0; i + 5 <= reply.size(); ++i) {
    if (reply[i] != '5' || reply[i + 1] != '.' || (i > 0 && std::isdigit(static_cast<unsigned char>(reply[i - 1]))))
      continue;
    std::size_t j = i + 2;
    while (j < reply.size() && std::isdigit(static_cast<unsigned char>(reply[j]))) ++j;
    if (j == i + 2 || j >= reply.size() || reply[j] != '.') continue;
    std::size_t k = j + 1;
    while (k < reply.size() && std::isdigit(static_cast<unsigned char>(reply[k]))) ++k;
    if (k > j + 1) return reply.substr(i, k - i);
  }
  return "5.0.0";
}

// This run's name in a lease: host, pid, and a random part (a pid comes
// back, on another day or another host).
std::string host_name() {
  char host[256] = "";
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::string name(host);
  return name.substr(0, std::min(name.find(':'), std::size_t{64}));
}

std::string holder_name() {
  std::random_device random;
  return host_name() + ":" + std::to_string(::getpid()) + ":" + std::to_string(random()) + std::to_string(random());
}

// A holder of this host whose process has ended (killed, or the host
// rebooted): its lease need not run out. A pid in use again reads as
// alive, and the lease is waited for.
bool holder_gone(const std::string& holder) {
  const std::size_t colon = holder.find(':'), second = holder.find(':', colon + 1);
  if (colon == std::string::npos || second == std::string::npos || holder.substr(0, colon) != host_name()) return false;
  const std::string pid = holder.substr(colon + 1, second - colon - 1);
  if (pid.empty() || pid.size() > 9 || pid.find_first_not_of("0123456789") != std::string::npos) return false;
  return ::kill(static_cast<pid_t>(std::stol(pid)), 0) != 0 && errno == ESRCH;
}

// The statements forumnotify runs, for the schema check.
const char* const notify_statements[] = {"list_forums", "notify_cursor",   "add_to_outbox",    "post_author",
                                         "subscribers", "record_delivery", "post_message_ids", "notify_lease"};

class Fanout {
 public:
  Fanout(forum::Connection& db, const forum::Profile& profile, const NotifyOptions& o, Sender& sender)
      : db_(db),
        profile_(profile),
        o_(o),
        sender_(sender),
        reader_(db, profile, o),
        bounce_(o.bounce),
        holder_(holder_name()) {
    forum::AddressPattern check(o.address);  // Error(78) without {forum}
    domain_ = o.address.substr(o.address.rfind('@') + 1);
    if (o.address.find('@') == std::string::npos || domain_.empty() || has(domain_, "{"))
      throw Error(Exit::config, "--address " + o.address +
                                    ": forumnotify sends from the forum's address and needs its domain "
                                    "(e.g. {forum}@forum.example.org)");
    if (o.web_message_id.empty() || !has(o.web_message_id, "{post}"))
      throw Error(Exit::config,
                  "--web-message-id: the web posts' Message-ID, with {post} (the same as forumpost's), is needed");
    personal_envelope_ = bounce_.per_subscriber();
    if (o.mta_verp) {
      // Postfix's VERP: sender+local=domain@its-domain, from "sender@its-domain".
      std::size_t verp = o.bounce.find("+{local}={domain}@");
      if (verp == std::string::npos)
        throw Error(Exit::usage,
                    "--mta-verp: the MTA writes \"+{local}={domain}@\", which --bounce " + o.bounce + " does not have");
      mta_bounce_.emplace(o.bounce.substr(0, verp) + o.bounce.substr(verp + 17));
      personal_envelope_ = false;
    }
    personal_message_ = o.reply_keys.has_value() || has(o.unsubscribe_url, "{address}");
    sender_.on_done([this](std::uint64_t tag, const Outcome& outcome) { answered(tag, outcome); });
  }

  NotifyReport run() {
    for (const auto& f : forums()) {
      if (deferred_) break;  // the MTA said wait: the other forums wait too
      handle_forum(f);
    }
    return report_;
  }

 private:
  struct InFlight {
    std::vector<std::string> recipients;
    std::shared_ptr<const std::string> message;
    std::string sender;
  };

  std::string forum_address(const std::string& forum, const std::string& suffix = "") const {
    return fill(o_.address, {{"forum", forum + suffix}});
  }

  std::vector<ForumInfo> forums() {
    std::vector<ForumInfo> out;
    std::set<std::string> wanted(o_.forums.begin(), o_.forums.end());
    for (const auto& row : db_.query(profile_.sql("list_forums"))) {
      ForumInfo f{row[0].value_or(""), row[1].value_or(""), row[2].value_or("")};
      if (!wanted.empty() && !wanted.count(f.name)) continue;
      wanted.erase(f.name);
      if (!forum::valid_forum_name(f.name)) {
        log::warning("forum \"" + f.name + "\" skipped: not a name an address can hold");
        continue;
      }
      forum::check_identifier(f.table, "message table");
      if (f.title.empty()) f.title = f.name;
      out.push_back(std::move(f));
    }
    for (const auto& name : wanted) throw Error(Exit::nouser, "no forum is named \"" + name + "\"");
    return out;
  }

  void handle_forum(const ForumInfo& f) {
    if (!hold_lease(f.name)) {
      log::warning("forum " + f.name + ": another forumnotify is sending it; skipped");
      report_.deferred = true;
      report_.reason = "another run holds forum " + f.name;
      return;
    }
    try {
      send_forum(f);
    } catch (...) {
      release_lease(f.name);
      throw;
    }
    release_lease(f.name);
  }

  // Takes forum's lease, or renews it; false when another run holds it.
  bool hold_lease(const std::string& forum) {
    if (o_.dry_run) return true;
    lease_renewed_ = Clock::now();
    try {
      db_.execute(profile_.sql("notify_lease"), {forum, holder_, o_.lease_seconds});
      const std::string holder = lease_holder(forum);
      if (holder == holder_) return true;
      if (!holder_gone(holder)) return false;
      log::info("forum " + forum + ": the run that held it (" + holder + ") is gone; its lease taken");
      db_.execute(profile_.sql("notify_lease_steal"), {holder_, o_.lease_seconds, forum, holder});
      return lease_holder(forum) == holder_;
    } catch (const forum::DbError& e) {
      // Two runs taking it at once on two nodes of a cluster: one commits,
      // the other's write fails certification.
      if (forum::is_conflict(e)) return false;
      throw;
    }
  }

  std::string lease_holder(const std::string& forum) {
    auto rows = db_.query(profile_.sql("notify_lease_holder"), {forum});
    return rows.empty() ? "" : rows[0][0].value_or("");
  }

  // Renewed a third of the way through: a run that finds it taken over
  // (it was stopped or stalled longer than the lease) sends no more.
  void renew_lease() {
    if (o_.dry_run || !forum_ || deferred_) return;
    if (Clock::now() - lease_renewed_ < std::chrono::seconds(o_.lease_seconds) / 3) return;
    if (hold_lease(forum_->name)) return;
    deferred_ = true;
    report_.reason = "another run took over the lease of forum " + forum_->name;
  }

  void release_lease(const std::string& forum) {
    if (o_.dry_run) return;
    try {
      db_.execute(profile_.sql("notify_lease_release"), {forum, holder_});
    } catch (const Error& e) {
      log::warning("forum " + forum + ": its lease stays until it expires: " + e.what());
    }
  }

  void send_forum(const ForumInfo& f) {
    std::vector<std::int64_t> posts = take_new_posts(f);
    for (std::size_t i = 0; i < posts.size(); ++i) {
      auto post = reader_.read(f, posts[i]);
      if (!post) {
        done_with(f, posts[i]);  // deleted before it went out
        continue;
      }
      if (post->hidden) {
        ++report_.waiting;
        continue;
      }
      if (!send_post(f, *post)) {
        report_.waiting += posts.size() - i;
        return;
      }
    }
  }

  // The forum's outbox, after the posts made since the cursor are taken
  // into it (with the cursor, in one transaction).
  std::vector<std::int64_t> take_new_posts(const ForumInfo& f) {
    std::vector<std::int64_t> fresh;
    auto cursor_rows = db_.query(profile_.sql("notify_cursor"), {f.name});
    std::int64_t cursor;
    if (cursor_rows.empty()) {
      cursor = o_.since_post ? *o_.since_post : to_int(db_.query(profile_.sql("newest_post", f.table)).at(0).at(0));
      if (!o_.dry_run) db_.execute(profile_.sql("set_notify_cursor"), {f.name, cursor, now()});
      log::info("forum " + f.name + ": first run, from after post " + std::to_string(cursor));
    } else {
      cursor = to_int(cursor_rows[0][0]);
    }
    for (;;) {
      auto rows = db_.query(profile_.sql("new_posts", f.table), {cursor});
      if (rows.empty()) break;
      if (o_.dry_run) {
        for (const auto& r : rows) fresh.push_back(to_int(r[0]));
        cursor = fresh.back();
        continue;
      }
      db_.begin();
      for (const auto& r : rows) {
        cursor = to_int(r[0]);
        db_.execute(profile_.sql("add_to_outbox"), {f.name, cursor, now()});
      }
      db_.execute(profile_.sql("set_notify_cursor"), {f.name, cursor, now()});
      db_.commit();
    }
    std::vector<std::int64_t> posts;
    for (const auto& r : db_.query(profile_.sql("outbox"), {f.name})) posts.push_back(to_int(r[0]));
    posts.insert(posts.end(), fresh.begin(), fresh.end());
    return posts;
  }

  std::string bounce_address(const std::string& forum, const std::string& subscriber) const {
    return (mta_bounce_ ? *mta_bounce_ : bounce_).make(forum, subscriber, domain_);
  }

  ListAddresses list_addresses(const ForumInfo& f, const std::string& subscriber) const {
    ListAddresses l;
    l.forum = f.name;
    l.title = f.title;
    l.post = forum_address(f.name);
    l.unsubscribe = forum_address(f.name, "-unsubscribe");
    l.list_id = f.name + "." + domain_;
    if (!o_.unsubscribe_url.empty())
      l.unsubscribe_url = fill(o_.unsubscribe_url, {{"forum", f.name}, {"address", subscriber}});
    if (!o_.archive_url.empty()) l.archive_url = fill(o_.archive_url, {{"forum", f.name}});
    l.loop = o_.loop;
    return l;
  }

  std::shared_ptr<const std::string> message_for(const ForumInfo& f, const StoredPost& p,
                                                 const std::string& subscriber) const {
    std::string reply_to = forum_address(f.name);
    if (o_.reply_keys) reply_to = forum_address(f.name, o_.reply_keys->suffix(f.name, p.mail.id, subscriber));
    return std::make_shared<const std::string>(build_message(p.mail, list_addresses(f, subscriber), reply_to));
  }

  // The author of p, by the user's address or, for a guest, by the
  // address the post came from.
  static bool is_author(const StoredPost& p, const std::string& address) {
    return (!p.author_address.empty() && mime::iequals(address, p.author_address)) ||
           (!p.sender.empty() && mime::iequals(address, p.sender));
  }

  // Sends p to the subscribers who do not have it; false when the MTA
  // deferred (the post stays in the outbox).
  bool send_post(const ForumInfo& f, const StoredPost& p) {
    std::vector<std::string> to;
    for (const auto& row : db_.query(profile_.sql("subscribers"), {p.mail.id, f.name, p.mail.date})) {
      std::string a = row[0].value_or("");
      if (a.empty()) continue;
      if (!o_.copy_author && is_author(p, a)) continue;
      to.push_back(std::move(a));
    }
    forum_ = &f;
    post_ = p.mail.id;
    sent_ = refused_ = 0;
    renew_lease();
    last_commit_ = Clock::now();
    std::shared_ptr<const std::string> shared;
    if (!personal_message_) shared = message_for(f, p, "");
    std::size_t step = personal_envelope_ || personal_message_ ? 1 : std::max<std::size_t>(o_.batch, 1);
    for (std::size_t i = 0; i < to.size() && !deferred_; i += step) {
      std::vector<std::string> group(to.begin() + static_cast<std::ptrdiff_t>(i),
                                     to.begin() + static_cast<std::ptrdiff_t>(std::min(to.size(), i + step)));
      submit(group, personal_message_ ? message_for(f, p, group[0]) : shared, bounce_address(f.name, group[0]));
      // A shared message refused for some: each of its recipients alone.
      while (!retry_.empty() && !deferred_) {
        InFlight r = std::move(retry_.back());
        retry_.pop_back();
        for (const auto& rcpt : r.recipients) submit({rcpt}, r.message, r.sender);
      }
    }
    sender_.flush();
    while (!retry_.empty() && !deferred_) {
      InFlight r = std::move(retry_.back());
      retry_.pop_back();
      for (const auto& rcpt : r.recipients) submit({rcpt}, r.message, r.sender);
      sender_.flush();
    }
    retry_.clear();
    if (deferred_) {
      commit_deliveries();
      report_.deferred = true;
      log::warning("forum " + f.name + " post " + std::to_string(p.mail.id) + ": " + std::to_string(sent_) +
                   " sent, the rest waits: " + report_.reason);
      return false;
    }
    done_with(f, p.mail.id);
    count_refusals(f);
    ++report_.posts;
    log::info("forum " + f.name + " post " + std::to_string(p.mail.id) + ": sent to " + std::to_string(sent_) +
              (refused_ ? ", refused for " + std::to_string(refused_) : ""));
    return true;
  }

  void submit(const std::vector<std::string>& recipients, std::shared_ptr<const std::string> message,
              const std::string& envelope_sender) {
    if (o_.dry_run) {
      std::string to;
      for (const auto& r : recipients) to += " " + r;
      if (o_.print) o_.print("sendmail -f " + envelope_sender + " --" + to + "\n" + *message + "\n");
      sent_ += recipients.size();
      report_.messages += recipients.size();
      return;
    }
    // An answer that comes in meanwhile may say stop (the MTA deferring,
    // the lease taken over): then this one waits for the next run.
    sender_.wait_for_room();
    if (deferred_) return;
    std::uint64_t tag = ++next_tag_;
    in_flight_[tag] = {recipients, message, envelope_sender};
    sender_.send(tag, Envelope{envelope_sender, recipients}, message);
  }

  // The MTA's answer for one message.
  void answered(std::uint64_t tag, const Outcome& outcome) {
    auto it = in_flight_.find(tag);
    if (it == in_flight_.end()) return;
    InFlight f = std::move(it->second);
    in_flight_.erase(it);
    switch (outcome.answer) {
      case Answer::accepted:
        for (auto& r : f.recipients) pending_.emplace_back(std::move(r), "sent");
        sent_ += f.recipients.size();
        report_.messages += f.recipients.size();
        break;
      case Answer::refused:
        if (f.recipients.size() > 1) {
          retry_.push_back(std::move(f));
          break;
        }
        log::warning("forum " + forum_->name + " post " + std::to_string(post_) + ": " + f.recipients[0] +
                     " refused: " + outcome.reason);
        pending_.emplace_back(f.recipients[0], "refused");
        refusals_.push_back({f.recipients[0], smtp_status(outcome.reason), true});
        ++refused_;
        ++report_.refused;
        break;
      case Answer::deferred:
        if (!deferred_) report_.reason = outcome.reason;
        deferred_ = true;
        break;
    }
    if (pending_.size() >= o_.commit_every || Clock::now() - last_commit_ > std::chrono::seconds(1))
      commit_deliveries();
  }

  void commit_deliveries() {
    last_commit_ = Clock::now();
    if (pending_.empty() || o_.dry_run) return;
    db_.begin();
    const std::int64_t t = now();
    for (const auto& [address, status] : pending_)
      db_.execute(profile_.sql("record_delivery"), {forum_->name, post_, address, t, status});
    db_.commit();
    pending_.clear();
    renew_lease();
  }

  // An MTA refusing a recipient for good is a bounce, counted as one.
  void count_refusals(const ForumInfo& f) {
    if (refusals_.empty() || o_.dry_run) return;
    db_.begin();
    forum::BounceResult r =
        forum::record_bounces(forum::connection_store(db_, profile_), f.name, refusals_, o_.bounce_limits, now());
    db_.commit();
    refusals_.clear();
    for (const auto& a : r.disabled) log::notice("forum " + f.name + ": the subscription of " + a + " is disabled");
    report_.disabled += r.disabled.size();
  }

  // Every subscriber has the post: it leaves the outbox, and its
  // deliveries with it.
  void done_with(const ForumInfo& f, std::int64_t post) {
    pending_.clear();
    if (o_.dry_run) return;
    db_.begin();
    db_.execute(profile_.sql("forget_deliveries"), {f.name, post});
    db_.execute(profile_.sql("leave_outbox"), {f.name, post});
    db_.commit();
  }

  forum::Connection& db_;
  const forum::Profile& profile_;
  const NotifyOptions& o_;
  Sender& sender_;
  PostReader reader_;
  std::string domain_;
  bool personal_envelope_ = false, personal_message_ = false;
  forum::BounceAddress bounce_;
  std::optional<forum::BounceAddress> mta_bounce_;  // with --mta-verp: the sender the MTA makes VERP of
  NotifyReport report_;
  bool deferred_ = false;  // the MTA said wait: no more mail this run
  const ForumInfo* forum_ = nullptr;
  std::int64_t post_ = 0;
  std::size_t sent_ = 0, refused_ = 0;
  std::uint64_t next_tag_ = 0;
  std::map<std::uint64_t, InFlight> in_flight_;
  std::vector<InFlight> retry_;
  std::vector<std::pair<std::string, std::string>> pending_;  // accepted, not yet recorded
  std::vector<forum::BounceReading> refusals_;                // of the post at hand
  Clock::time_point last_commit_;
  const std::string holder_;  // this run, in the forums' leases
  Clock::time_point lease_renewed_;
};

}  // namespace

NotifyReport notify(forum::Connection& db, const forum::Profile& profile, const NotifyOptions& options,
                    Sender& sender) {
  return Fanout(db, profile, options, sender).run();
}

void check_notify_schema(forum::Connection& db, const forum::Profile& profile) {
  std::map<std::string, std::set<std::string>> tables;
  for (const char* name : notify_statements) {
    const auto& s = profile.statements().at(name);
    for (const auto& [table, columns] : s.uses)
      if (table.find("{messages}") == std::string::npos) tables[table].insert(columns.begin(), columns.end());
  }
  std::string missing;
  for (const auto& [table, columns] : tables) {
    std::string list;
    for (const auto& c : columns) list += (list.empty() ? "" : ", ") + c;
    const std::string name = profile.table(table);
    try {
      db.query("SELECT " + list + " FROM `" + name + "` LIMIT 0");
    } catch (const forum::DbError& e) {
      if (e.temporary()) throw;
      missing += (missing.empty() ? "" : "; ") + name + ": " + e.what();
    }
  }
  if (!missing.empty())
    throw Error(Exit::config,
                "the database lacks what forumnotify needs (share/forumgate/upgrade-notify.sql adds it): " + missing);
}

}  // namespace forumgate::notify
