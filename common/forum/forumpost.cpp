#include "forum/forumpost.hpp"

#include <sys/stat.h>

#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/log.hpp"
#include "forum/db.hpp"
#include "forum/gateway.hpp"
#include "forum/our_mail.hpp"
#include "forum/policy_service.hpp"
#include "forum/queue.hpp"
#include "mime/header.hpp"
#include "mime/message.hpp"
#include "post/builder.hpp"
#include "process/signals.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"
#include "util/text.hpp"

namespace forumgate::forum {

namespace {

GatewayOptions gateway_options(const ForumpostOptions& o) {
  GatewayOptions g;
  g.pattern = AddressPattern(o.address);
  if (!o.recipient.empty()) g.recipient = o.recipient;
  if (!o.forum.empty()) {
    g.forum = mime::to_lower(o.forum);
    // No forum has such a name (and it would reach the log as it is).
    if (!valid_forum_name(*g.forum)) throw Error(Exit::nouser, "--forum: no forum has such a name (a-z, 0-9, _ . -)");
  }
  if (!o.action.empty()) {
    g.action = parse_action(o.action);
    if (!g.action || *g.action == Action::confirm)
      throw Error(Exit::usage, "--action " + o.action + ": not post, subscribe or unsubscribe");
  }
  g.default_policy = parse_policy(o.policy);
  for (const auto& fp : o.forum_policies) {
    auto [name, policy] = split_pair(fp, "--forum-policy");
    g.policies[name] = parse_policy(policy);
  }
  g.subject_fallback = o.subject_fallback;
  g.require_auth = o.require_auth;
  g.web_message_id = o.web_message_id;
  if (!o.web_message_id.empty() && o.web_message_id.find("{post}") == std::string::npos)
    throw Error(Exit::usage, "--web-message-id " + o.web_message_id + ": no {post} in it");
  g.dry_run = o.dry_run;
  g.print = [](const std::string& s) { std::cout << s << std::flush; };
  g.sendmail = o.sendmail;
  g.loop_value = o.loop;
  g.notices = !o.no_notices;
  g.sender_limit = o.sender_limit;
  g.sender_hide = o.sender_hide;
  g.forum_limit = o.forum_limit;
  g.forum_hide = o.forum_hide;
  g.notice_dir = o.notice_dir;
  // It goes into every mail we send, and into no log line unchecked.
  if (!one_line(o.loop)) throw Error(Exit::usage, "--loop holds a line break or a control character");
  g.attachment_base = o.attachments_dir;
  g.attachment_path = o.attachment_path;
  g.attachments_url = o.attachments_url;
  while (!g.attachments_url.empty() && g.attachments_url.back() == '/') g.attachments_url.pop_back();
  if (!one_line(o.attachments_url) || o.attachments_url.find_first_of(" \"<>") != std::string::npos)
    throw Error(Exit::usage, "--attachments-url holds a space, a quote, an angle bracket or a control character");
  if (!o.attachments_url.empty() && o.attachments_dir.empty())
    throw Error(Exit::usage, "--attachments-url links the files --attachments-dir stores: give both");
  g.max_attachment = o.max_attachment;
  if (!o.attachment_types.empty()) g.attachment_types = o.attachment_types;
  g.bounce = BounceAddress(o.bounce);
  g.bounce_limits = o.bounce_limits;
  if (!o.reply_key_file.empty()) g.reply_keys = ReplyKeys::from_file(o.reply_key_file);
  return g;
}

// One line per message, Postfix style.
// One line per message, Postfix style; every value on one line,
// whichever door it came in by (a record, a message, an option). No
// record: not a message at all.
std::string record_head(const post::Record& r) {
  return "message-id=" + as_one_line(r.message_id.value_or("none")) + " from=<" + as_one_line(r.from.address) + "> ";
}

std::string result_line(const std::string& head, const Result& result) {
  std::string line = head;
  if (!result.forum.empty()) line += "forum=" + as_one_line(result.forum) + " ";
  if (!result.action.empty()) line += "action=" + result.action + " ";
  line += "outcome=" + std::string(to_string(result.outcome));
  if (result.post) line += " post=" + std::to_string(result.post) + " thread=" + std::to_string(result.thread);
  if (!result.reason.empty()) line += " (" + as_one_line(result.reason) + ")";
  return line;
}

void log_line(const Result& result, const std::string& line) {
  if (result.outcome == Outcome::refused || result.outcome == Outcome::deferred) log::warning(line);
  else log::notice(line);
}

// An attachment's or option file's bytes; nullopt when unreadable.
std::optional<std::string> read_whole(const std::string& path) {
  try {
    return util::read_file(path);
  } catch (const Error&) {
    return std::nullopt;
  }
}

// One connection and its gateway, and the ways a message reaches it:
// parsed here or prepared ahead by the queue, or a record from mimeparse.
class Poster {
 public:
  Poster(const ForumpostOptions& options, Profile profile, GatewayOptions gateway)
      : o_(options),
        db_(connect_options(options, "forumpost")),
        gateway_(db_, std::move(profile), with_attachments(std::move(gateway))) {
    gateway_.check_schema();
  }

  // A message prepared: prepare() touches nothing of the Poster's but its
  // options, so that the queue's read-ahead thread may run it while the
  // gateway works on the message before.
  PreparedPtr prepare(std::string data) const {
    auto p = std::make_shared<PreparedMessage>();
    p->message = mime::parse_message(std::move(data));
    if (!p->message.has_header) return p;
    post::BuildOptions bo;
    bo.loop_value = o_.loop;
    if (!o_.recipient.empty()) bo.recipient = o_.recipient;
    // The record decodes each attachment for its checksum: kept, when it
    // may be stored, so that storing it does not decode it again. Decoded,
    // they take no more than the message itself.
    if (!o_.attachments_dir.empty())
      bo.on_attachment = [&](const post::Attachment& a, std::string_view bytes) -> std::optional<std::string> {
        if (bytes.size() <= o_.max_attachment) p->decoded[a.part] = std::string(bytes);
        return std::nullopt;
      };
    p->record = post::build_record(p->message, bo);
    return p;
  }

  // A parsed message handed to the gateway, with those that come next
  // (see Gateway::expect).
  // Logged unless log is false: the queue says what became of a message
  // once that is sure (see QueueOptions::settled).
  Result handle(const PreparedMessage& p, const std::vector<PreparedPtr>& next = {}, bool log = true) {
    if (!p.message.has_header) {
      Result r;
      r.status = Exit::dataerr;
      r.reason = "not a mail message: no header fields";
      if (log) this->log(p, r);
      return r;
    }
    std::vector<const post::Record*> upcoming;
    for (const auto& n : next)
      if (n->message.has_header) upcoming.push_back(&n->record);
    gateway_.expect(std::move(upcoming));
    current_ = &p;
    Result result;
    try {
      result = gateway_.handle(p.record);
    } catch (...) {
      current_ = nullptr;
      throw;
    }
    current_ = nullptr;
    if (log) this->log(p, result);
    return result;
  }

  // The line that says what became of a message.
  static void log(const PreparedMessage& p, const Result& r) {
    log_line(r, result_line(p.message.has_header ? record_head(p.record) : "", r));
  }

  // Group commit for the queue: see Gateway::begin_group.
  void begin_group() { gateway_.begin_group(); }
  void commit_group() { gateway_.commit_group(); }

  // A record from mimeparse: attachments only when it wrote them out.
  Result record(const post::Record& record) {
    Result result = gateway_.handle(record);
    log_line(result, result_line(record_head(record), result));
    return result;
  }

 private:
  GatewayOptions with_attachments(GatewayOptions g) {
    g.attachment_data = [this](const post::Attachment& a) -> std::optional<std::string> {
      if (current_) {
        if (auto it = current_->decoded.find(a.part); it != current_->decoded.end()) return it->second;
        const mime::Part* part = mime::find_part(current_->message.root, a.part);
        if (part) return mime::decode_body(current_->message, *part);
        return std::nullopt;
      }
      if (a.path) return read_whole(*a.path);
      return std::nullopt;
    };
    return g;
  }

  const ForumpostOptions& o_;
  Connection db_;
  Gateway gateway_;
  const PreparedMessage* current_ = nullptr;  // the message the gateway handles
};

std::string summary(const QueueReport& r) {
  return std::to_string(r.taken) + " taken, " + std::to_string(r.posted) + " posted, " + std::to_string(r.duplicates) +
         " duplicates, " + std::to_string(r.ignored) + " ignored, " + std::to_string(r.subscriptions) +
         " subscriptions, " + std::to_string(r.refused) + " refused, " + std::to_string(r.deferred) + " deferred" +
         (r.skipped ? ", " + std::to_string(r.skipped) + " skipped" : "");
}

// How many times a message or a queue pass deferred by a conflict with
// another writer is made again before it is left for the next run (75).
constexpr unsigned conflict_retries = 5;

// Before the retry'th attempt: a random 10-50 ms, times the attempt.
void pause_after_conflict(unsigned retry) {
  static std::minstd_rand random{std::random_device{}()};
  std::this_thread::sleep_for(std::chrono::milliseconds((10 + random() % 41) * retry));
}

ForumpostStatus run_queue(const ForumpostOptions& o, Poster& poster) {
  process::ForwardedSignals signals;
  QueueOptions qo;
  qo.delete_done = o.delete_done;
  qo.stop_on_tempfail = o.stop_on_tempfail;
  qo.cancel = signals.cancel_flag();
  if (o.commit_every > 1 && !o.dry_run) {
    poster.begin_group();
    qo.commit = [&poster] { poster.commit_group(); };
    qo.group_size = o.commit_every;
    qo.group_time = std::chrono::milliseconds(o.commit_time_ms);
  }
  // Parsing overlaps the database work of the message before.
  qo.prepare = [&poster](const std::string& data) { return poster.prepare(data); };
  // Each message's line waits for its fate: "posted" only once committed.
  std::map<std::string, std::string> heads;  // by path, until settled
  qo.settled = [&](const std::string& path, const Result& r) {
    auto it = heads.find(path);
    log_line(r, result_line(it != heads.end() ? it->second : "", r));
    if (it != heads.end()) heads.erase(it);
  };
  auto pass = [&] {
    return process_queue(o.queue, qo,
                         [&](const std::string& path, const std::string& data, Prepared prepared,
                             const std::vector<PreparedPtr>& ahead) {
                           log::debug(path);
                           PreparedPtr p = prepared.empty() ? poster.prepare(data) : prepared.get();
                           heads[path] = p->message.has_header ? record_head(p->record) : "";
                           return poster.handle(*p, prepared.empty() ? std::vector<PreparedPtr>{} : ahead, false);
                         });
  };
  QueueReport report = pass();
  // Messages deferred by a conflict with another writer (another host on
  // the cluster, a deadlock) are still in new/: a pass over them alone
  // (the rest was done, or waits for a reason a retry does not change), a
  // bounded number of times, after a pause that keeps two hosts from
  // meeting again.
  for (unsigned retry = 1; retry <= conflict_retries && !report.conflicted.empty() && !signals.caught(); ++retry) {
    const std::size_t n = report.conflicted.size();
    log::notice(std::to_string(n) + (n == 1 ? " message" : " messages") +
                " met a conflict with another writer: those again");
    pause_after_conflict(retry);
    qo.only = std::move(report.conflicted);
    const std::size_t retried = qo.only->size();
    QueueReport again = pass();
    report.posted += again.posted;
    report.duplicates += again.duplicates;
    report.ignored += again.ignored;
    report.subscriptions += again.subscriptions;
    report.refused += again.refused;
    report.deferred = report.deferred - retried + again.deferred;
    report.conflicted = std::move(again.conflicted);
    report.stopped = again.stopped;
  }
  // One line for cron's mail, even with -q.
  std::cerr << "forumpost: " << o.queue << ": " << summary(report) << "\n";
  if (signals.caught()) return {Exit::ok, signals.caught()};
  return {report.deferred > 0 ? Exit::tempfail : Exit::ok};
}

ForumpostStatus run_records(const ForumpostOptions& o, Poster& poster) {
  Exit worst = Exit::ok;
  std::vector<std::string> inputs = o.files.empty() ? std::vector<std::string>{"-"} : o.files;
  for (const auto& input : inputs) {
    std::string data = util::read_input(input);
    size_t line_no = 0;
    util::for_each_line(data, [&](std::string_view line) {
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;
      post::Record record;
      try {
        from_json(nlohmann::json::parse(line), record);
      } catch (const std::exception& e) {
        log::error(input + ":" + std::to_string(line_no) + ": not a post record: " + e.what());
        worst = std::max(worst, Exit::dataerr);
        return;
      }
      Result r = poster.record(record);
      if (r.outcome == Outcome::refused || r.outcome == Outcome::deferred)
        worst = r.status == Exit::tempfail || worst == Exit::tempfail ? Exit::tempfail : std::max(worst, r.status);
    });
  }
  return {worst};
}

}  // namespace

ForumpostStatus run_forumpost(const ForumpostOptions& o) {
  // The command line first: a broken one is 64 whatever the database does.
  if (o.queue.empty() && !o.records && o.files.size() > 1)
    throw Error(Exit::usage, "one message at a time (or --queue, --records)");
  if (o.policy_service && (!o.queue.empty() || o.records || !o.files.empty() || o.dry_run))
    throw Error(Exit::usage, "--policy-service takes no FILE, --queue, --records or --dry-run");
  GatewayOptions gateway = gateway_options(o);
  if (!o.attachments_dir.empty()) {
    struct stat st;
    std::string dir = o.attachments_dir + "/" + o.attachment_path;
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      throw Error(Exit::config, "attachment directory " + dir + " does not exist");
  }
  check_defaults_file(o.defaults_file);
  Profile profile = make_profile(o);
  if (o.policy_service)
    return {run_policy_service({connect_options(o, "forumpost"), std::move(profile), std::move(gateway)}, std::cin,
                               std::cout)};
  std::unique_ptr<Poster> poster;
  try {
    poster = std::make_unique<Poster>(o, std::move(profile), std::move(gateway));
  } catch (const Error& e) {
    log::error(e.what());
    return {e.status()};
  }
  if (!o.queue.empty()) return run_queue(o, *poster);
  if (o.records) return run_records(o, *poster);
  const std::string data = util::read_input(o.files.empty() ? "-" : o.files[0]);
  // Parsed once; made again after a conflict; one line for what became
  // of it.
  PreparedPtr p = poster->prepare(data);
  Result r = poster->handle(*p, {}, false);
  for (unsigned retry = 1; retry <= conflict_retries && r.outcome == Outcome::deferred && r.conflict; ++retry) {
    log::notice("a conflict with another writer: the message again");
    pause_after_conflict(retry);
    r = poster->handle(*p, {}, false);
  }
  poster->log(*p, r);
  bool failed = r.outcome == Outcome::refused || r.outcome == Outcome::deferred;
  if (failed) std::cerr << "forumpost: " << as_one_line(r.reason) << "\n";
  return {failed ? r.status : Exit::ok};
}

}  // namespace forumgate::forum
