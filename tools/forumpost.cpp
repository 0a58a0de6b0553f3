// forumpost: write posts, replies and subscriptions into a forum's
// database. See forumpost(1).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <any>
#include <cerrno>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/error.hpp"
#include "cli/log.hpp"
#include "cli/program.hpp"
#include "forum/db.hpp"
#include "forum/gateway.hpp"
#include "forum/queue.hpp"
#include "mime/message.hpp"
#include "post/builder.hpp"
#include "process/signals.hpp"
#include "util/fd.hpp"

using namespace forumgate;

namespace {

struct Options {
  std::vector<std::string> files;
  std::string queue;
  bool delete_done = false;
  bool stop_on_tempfail = false;
  std::size_t commit_every = 100;
  bool records = false;
  bool dry_run = false;
  std::string recipient;
  std::string forum;
  std::string action;
  std::string defaults_file;
  std::string site = "agora";
  std::string address = "{forum}@";
  std::string policy = "open";
  std::vector<std::string> forum_policies;
  bool subject_fallback = false;
  std::string require_auth;
  std::string web_message_id;
  std::string sendmail = "/usr/sbin/sendmail -t -i";
  std::string loop;
  std::string attachments_dir;
  std::string attachment_path = "attachments";
  std::uint64_t max_attachment = 4 << 20;
  std::vector<std::string> attachment_types;
  std::vector<std::string> sql;
  std::string exit_codes = "sysexits";
};

// qmail-command(8): 0 delivered, 100 permanent failure (bounce), 111
// temporary failure (try again).
int exit_code(const Options& o, Exit status) {
  int code = forumgate::status(status);
  if (o.exit_codes != "qmail" || code == 0) return code;
  return status == Exit::tempfail ? 111 : 100;
}

std::pair<std::string, std::string> split_pair(const std::string& s, const std::string& what) {
  auto eq = s.find('=');
  if (eq == std::string::npos || eq == 0) throw Error(Exit::usage, what + " \"" + s + "\" is not NAME=VALUE");
  return {s.substr(0, eq), s.substr(eq + 1)};
}

forum::GatewayOptions gateway_options(const Options& o) {
  forum::GatewayOptions g;
  g.pattern = forum::AddressPattern(o.address);
  if (!o.recipient.empty()) g.recipient = o.recipient;
  if (!o.forum.empty()) g.forum = o.forum;
  if (!o.action.empty()) {
    g.action = forum::parse_action(o.action);
    if (!g.action || *g.action == forum::Action::confirm)
      throw Error(Exit::usage, "--action " + o.action + ": not post, subscribe or unsubscribe");
  }
  g.default_policy = forum::parse_policy(o.policy);
  for (const auto& fp : o.forum_policies) {
    auto [name, policy] = split_pair(fp, "--forum-policy");
    g.policies[name] = forum::parse_policy(policy);
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
  g.attachment_base = o.attachments_dir;
  g.attachment_path = o.attachment_path;
  g.max_attachment = o.max_attachment;
  if (!o.attachment_types.empty()) g.attachment_types = o.attachment_types;
  return g;
}

// One line per message, Postfix style.
void log_result(const post::Record& r, const forum::Result& result) {
  std::string line = "message-id=" + r.message_id.value_or("none") + " from=<" + r.from.address + ">";
  if (!result.forum.empty()) line += " forum=" + result.forum;
  if (!result.action.empty()) line += " action=" + result.action;
  line += " outcome=" + std::string(forum::to_string(result.outcome));
  if (result.post) line += " post=" + std::to_string(result.post) + " thread=" + std::to_string(result.thread);
  if (!result.reason.empty()) line += " (" + result.reason + ")";
  if (result.outcome == forum::Outcome::refused || result.outcome == forum::Outcome::deferred) log::warning(line);
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

class Runner {
 public:
  Runner(const Options& options, forum::Profile profile)
      : o_(options),
        db_(forum::ConnectOptions{options.defaults_file}),
        gateway_(db_, std::move(profile), options_with_attachments(options)) {
    gateway_.check_schema();
  }

  // A message parsed, its record built, its attachments decoded: all that
  // needs no database. parse() touches nothing of the Runner's but its
  // options, so that the queue's read-ahead thread may run it while the
  // gateway works on the message before.
  struct Parsed {
    mime::Message message;
    post::Record record;
    std::map<std::string, std::string> decoded;  // attachments, by part
  };

  std::shared_ptr<Parsed> parse(std::string data) const {
    auto p = std::make_shared<Parsed>();
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
  forum::Result handle(const Parsed& p, const std::vector<std::shared_ptr<Parsed>>& next = {}) {
    if (!p.message.has_header) {
      forum::Result r;
      r.status = Exit::dataerr;
      r.reason = "not a mail message: no header fields";
      log::warning("outcome=refused (" + r.reason + ")");
      return r;
    }
    std::vector<const post::Record*> upcoming;
    for (const auto& n : next)
      if (n->message.has_header) upcoming.push_back(&n->record);
    gateway_.expect(std::move(upcoming));
    current_ = &p;
    forum::Result result;
    try {
      result = gateway_.handle(p.record);
    } catch (...) {
      current_ = nullptr;
      throw;
    }
    current_ = nullptr;
    log_result(p.record, result);
    return result;
  }

  forum::Result message(std::string data) { return handle(*parse(std::move(data))); }

  // Group commit for the queue: see Gateway::begin_group.
  void begin_group() { gateway_.begin_group(); }
  void commit_group() { gateway_.commit_group(); }

  // A record from mimeparse: attachments only when it wrote them out.
  forum::Result record(const post::Record& record) {
    forum::Result result = gateway_.handle(record);
    log_result(record, result);
    return result;
  }

 private:
  forum::GatewayOptions options_with_attachments(const Options& o) {
    forum::GatewayOptions g = gateway_options(o);
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

  const Options& o_;
  forum::Connection db_;
  forum::Gateway gateway_;
  const Parsed* current_ = nullptr;  // the message the gateway handles
};

// An option file with a password must not be readable by everyone: 0600,
// or 0640 for a group the MTA's pipe runs in (see forumgate(7)).
void check_defaults_file(const std::string& path) {
  if (path.empty()) return;
  auto data = read_whole(path);
  if (!data) throw system_error(Exit::config, "cannot read the option file " + path);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw system_error(Exit::config, "cannot stat " + path);
  const std::string mode = util::file_mode(st.st_mode);
  bool has_password = data->find("password") != std::string::npos;
  if (has_password && (st.st_mode & 0007)) {
    throw Error(Exit::config, path + " holds a password and everyone may read it (mode " + mode +
                                  "): chmod 600 (or 640 for the MTA's group)");
  }
  // Whoever may change it may send the posts to a database of theirs (and
  // the client library ignores a world-writable option file anyway).
  if (st.st_mode & 0022) {
    throw Error(Exit::config, path + " may be changed by others than its owner (mode " + mode + "): chmod 600");
  }
}

forum::Profile make_profile(const Options& o) {
  forum::Profile profile = forum::Profile::wagora(o.site);
  for (const auto& s : o.sql) {
    auto [name, sql] = split_pair(s, "--sql");
    profile.override_statement(name, sql);
  }
  return profile;
}

std::string summary(const forum::QueueReport& r) {
  return std::to_string(r.taken) + " taken, " + std::to_string(r.posted) + " posted, " + std::to_string(r.duplicates) +
         " duplicates, " + std::to_string(r.ignored) + " ignored, " + std::to_string(r.subscriptions) +
         " subscriptions, " + std::to_string(r.refused) + " refused, " + std::to_string(r.deferred) + " deferred";
}

int run_queue(const Options& o, Runner& runner) {
  process::ForwardedSignals signals;
  forum::QueueOptions qo;
  qo.delete_done = o.delete_done;
  qo.stop_on_tempfail = o.stop_on_tempfail;
  qo.cancel = signals.cancel_flag();
  if (o.commit_every > 1 && !o.dry_run) {
    runner.begin_group();
    qo.commit = [&runner] { runner.commit_group(); };
    qo.group_size = o.commit_every;
  }
  // Parsing overlaps the database work of the message before.
  qo.prepare = [&runner](const std::string& data) -> std::any { return runner.parse(data); };
  auto report = forum::process_queue(o.queue, qo,
                                     [&](const std::string& path, const std::string& data, forum::Prepared prepared,
                                         const std::vector<std::any>& ahead) {
                                       log::debug(path);
                                       if (prepared.empty()) return runner.message(data);
                                       std::vector<std::shared_ptr<Runner::Parsed>> next;
                                       for (const auto& a : ahead)
                                         next.push_back(std::any_cast<std::shared_ptr<Runner::Parsed>>(a));
                                       return runner.handle(
                                           *std::any_cast<std::shared_ptr<Runner::Parsed>>(prepared.get()), next);
                                     });
  // One line for cron's mail, even with -q.
  std::cerr << "forumpost: " << o.queue << ": " << summary(report) << "\n";
  if (signals.caught()) return 128 + signals.caught();
  return exit_code(o, report.deferred > 0 ? Exit::tempfail : Exit::ok);
}

int run_records(const Options& o, Runner& runner) {
  Exit worst = Exit::ok;
  std::vector<std::string> inputs = o.files.empty() ? std::vector<std::string>{"-"} : o.files;
  for (const auto& input : inputs) {
    std::string data = util::read_input(input);
    size_t line_no = 0;
    for (size_t pos = 0; pos < data.size();) {
      size_t eol = data.find('\n', pos);
      if (eol == std::string::npos) eol = data.size();
      std::string line = data.substr(pos, eol - pos);
      pos = eol + 1;
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      post::Record record;
      try {
        from_json(nlohmann::json::parse(line), record);
      } catch (const std::exception& e) {
        log::error(input + ":" + std::to_string(line_no) + ": not a post record: " + e.what());
        worst = std::max(worst, Exit::dataerr);
        continue;
      }
      forum::Result r = runner.record(record);
      if (r.outcome == forum::Outcome::refused || r.outcome == forum::Outcome::deferred)
        worst = r.status == Exit::tempfail || worst == Exit::tempfail ? Exit::tempfail : std::max(worst, r.status);
    }
  }
  return exit_code(o, worst);
}

int run(const Options& o) {
  if (!o.queue.empty() && (o.records || !o.files.empty()))
    throw Error(Exit::usage, "--queue takes no FILE and no --records");
  if (o.exit_codes != "sysexits" && o.exit_codes != "qmail")
    throw Error(Exit::usage, "--exit-codes " + o.exit_codes + ": sysexits or qmail");
  if (!o.attachments_dir.empty()) {
    struct stat st;
    std::string dir = o.attachments_dir + "/" + o.attachment_path;
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      throw Error(Exit::config, "attachment directory " + dir + " does not exist");
  }
  check_defaults_file(o.defaults_file);
  forum::Profile profile = make_profile(o);
  std::unique_ptr<Runner> runner;
  try {
    runner = std::make_unique<Runner>(o, std::move(profile));
  } catch (const Error& e) {
    log::error(e.what());
    return exit_code(o, e.status());
  }
  if (!o.queue.empty()) return run_queue(o, *runner);
  if (o.records) return run_records(o, *runner);
  if (o.files.size() > 1) throw Error(Exit::usage, "one message at a time (or --queue, --records)");
  forum::Result r = runner->message(util::read_input(o.files.empty() ? "-" : o.files[0]));
  bool failed = r.outcome == forum::Outcome::refused || r.outcome == forum::Outcome::deferred;
  if (failed) std::cerr << "forumpost: " << r.reason << "\n";
  return exit_code(o, failed ? r.status : Exit::ok);
}

}  // namespace

int main(int argc, char** argv) {
  cli::Program program("forumpost", "Post a mail message (or a queue of them) into a forum's database.");
  program.usage("[OPTIONS] [FILE]");
  Options o;
  CLI::App& app = program.app();
  app.add_option("files", o.files, "The message (default: standard input); with --records, files of records")
      ->type_name("FILE");
  app.add_option("--queue", o.queue, "Post every message of the queue Maildir DIR, in order")->type_name("DIR");
  app.add_flag("--delete", o.delete_done, "With --queue: delete what is done instead of moving it into cur/");
  app.add_flag("--stop-on-tempfail", o.stop_on_tempfail,
               "With --queue: stop at the first message that must wait (exit 75)");
  app.add_option("--commit-every", o.commit_every,
                 "With --queue: commit N messages at a time; their files leave new/ after the commit")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->type_name("N");
  app.add_flag("--records", o.records, "Read post records (JSON Lines from mimeparse) instead of a message");
  app.add_flag("-n,--dry-run", o.dry_run, "Print the statements that would write, and their values; write nothing");
  app.add_option("-r,--recipient", o.recipient, "The envelope recipient (as Postfix's ${recipient})")
      ->type_name("ADDRESS");
  app.add_option("--forum", o.forum, "Post to forum NAME whatever the recipient")->type_name("NAME");
  app.add_option("--action", o.action, "post, subscribe or unsubscribe, whatever the recipient")->type_name("ACTION");
  app.add_option("--defaults-file", o.defaults_file,
                 "MySQL option file with the connection settings ([client] and [forumpost])")
      ->type_name("FILE");
  app.add_option("--site", o.site, "The W-Agora site: its table name and prefix")
      ->capture_default_str()
      ->type_name("NAME");
  app.add_option("--address", o.address, "Forum addresses, with {forum} where the name goes")
      ->capture_default_str()
      ->type_name("PATTERN");
  app.add_option("--policy", o.policy, "Who may post: open, members or moderated")
      ->capture_default_str()
      ->type_name("POLICY");
  app.add_option("--forum-policy", o.forum_policies, "The policy of one forum (repeatable)")
      ->type_name("FORUM=POLICY")
      ->allow_extra_args(false);
  app.add_option("--require-auth", o.require_auth,
                 "Post only with a DMARC or DKIM pass in Authentication-Results from AUTHSERV-ID")
      ->type_name("AUTHSERV-ID");
  app.add_flag("--subject-fallback", o.subject_fallback,
               "A reply that names no known parent joins the newest thread of its subject");
  app.add_option("--web-message-id", o.web_message_id,
                 "The Message-ID of the forum's mails about web posts, with {forum} and {post}")
      ->type_name("PATTERN");
  app.add_option("--sendmail", o.sendmail, "The command that sends confirmations (reads the mail, like sendmail -t)")
      ->capture_default_str()
      ->type_name("COMMAND");
  app.add_option("--loop", o.loop, "Our X-Loop value: set on our mail, a message with it is ignored")
      ->type_name("VALUE");
  app.add_option("--attachments-dir", o.attachments_dir, "W-Agora's base directory: store attachments under it")
      ->type_name("DIR");
  app.add_option("--attachment-path", o.attachment_path, "The attachments' directory within DIR (att_path)")
      ->capture_default_str()
      ->type_name("PATH");
  app.add_option("--max-attachment", o.max_attachment, "The largest attachment stored, in bytes")
      ->capture_default_str()
      ->type_name("BYTES");
  app.add_option("--attachment-type", o.attachment_types,
                 "A content type stored (repeatable; replaces the default list)")
      ->type_name("TYPE")
      ->allow_extra_args(false);
  app.add_option("--sql", o.sql, "Replace the named SQL statement (repeatable)")
      ->type_name("NAME=SQL")
      ->allow_extra_args(false);
  app.add_option("--exit-codes", o.exit_codes, "sysexits, or qmail (0, 100, 111) for qmail-command(8)")
      ->capture_default_str()
      ->type_name("STYLE");
  app.footer(
      "Exit status: 0 posted (or a duplicate, or ignored), 65 not a message, 67 no such\n"
      "forum, 75 try again later, 77 sender not permitted, 78 configuration. See forumpost(1).");
  return program.run(argc, argv, [&] { return run(o); });
}
