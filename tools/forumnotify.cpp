// forumnotify: send a forum's new posts, made by mail or on the web, to
// its subscribers. See forumnotify(1).

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/program.hpp"
#include "forum/db.hpp"
#include "forum/options.hpp"
#include "notify/fanout.hpp"
#include "notify/sender.hpp"
#include "util/error.hpp"

using namespace forumgate;

namespace {

struct Options {
  forum::ForumOptions forum;
  notify::NotifyOptions notify;
  std::int64_t since_post = -1;
  std::string sendmail = "/usr/sbin/sendmail -i";
  std::string smtp;
  notify::SmtpOptions smtp_options;
  unsigned parallel = 4;
};

std::string summary(const notify::NotifyReport& r) {
  return std::to_string(r.posts) + " posts sent, " + std::to_string(r.messages) + " messages accepted, " +
         std::to_string(r.refused) + " refused, " + std::to_string(r.waiting) + " posts waiting" +
         (r.disabled ? ", " + std::to_string(r.disabled) + " subscriptions disabled" : "");
}

int run(Options& o) {
  notify::NotifyOptions& n = o.notify;
  n.address = o.forum.address;
  n.web_message_id = o.forum.web_message_id;
  n.bounce = o.forum.bounce;
  n.loop = o.forum.loop;
  n.bounce_limits = o.forum.bounce_limits;
  if (o.since_post >= 0) n.since_post = o.since_post;
  if (!o.forum.reply_key_file.empty()) n.reply_keys = forum::ReplyKeys::from_file(o.forum.reply_key_file);
  n.print = [](const std::string& s) { std::cout << s << std::flush; };
  forum::check_defaults_file(o.forum.defaults_file);
  forum::Profile profile = forum::make_profile(o.forum);
  forum::Connection db(forum::connect_options(o.forum, "forumnotify"));
  notify::check_notify_schema(db, profile);
  std::unique_ptr<notify::Sender> sender;
  if (n.mta_verp && !o.smtp.empty())
    throw Error(Exit::usage, "--mta-verp: with --sendmail only (libcurl cannot ask for XVERP)");
  if (o.smtp.empty()) {
    sender = notify::sendmail_sender(o.sendmail, o.parallel, n.mta_verp);
  } else {
    o.smtp_options.url = o.smtp;
    o.smtp_options.connections = o.parallel;
    sender = notify::smtp_sender(o.smtp_options);
  }
  notify::NotifyReport report = notify::notify(db, profile, n, *sender);
  // One line for cron's mail, even with -q.
  std::cerr << "forumnotify: " << summary(report) << (report.deferred ? "; deferred: " + report.reason : "") << "\n";
  return status(report.deferred ? Exit::tempfail : Exit::ok);
}

}  // namespace

int main(int argc, char** argv) {
  cli::Program program("forumnotify", "Send a forum's new posts to its subscribers by mail.");
  program.usage("[OPTIONS]");
  Options o;
  CLI::App& app = program.app();
  app.add_option("--forum", o.notify.forums, "Only forum NAME (repeatable; default: every forum)")
      ->type_name("NAME")
      ->allow_extra_args(false);
  app.add_option("--since-post", o.since_post, "A forum's first run starts after post N, not after its newest")
      ->type_name("N");
  app.add_flag("--copy-author", o.notify.copy_author, "Send a post to its author too, when subscribed");
  app.add_flag("-n,--dry-run", o.notify.dry_run, "Print the messages and their recipients; send and change nothing");
  app.add_option("--sendmail", o.sendmail, "The command that sends (run with -f SENDER -- RECIPIENT...)")
      ->capture_default_str()
      ->type_name("COMMAND");
  app.add_option("--smtp", o.smtp, "Send over SMTP instead: smtp://HOST[:PORT] (STARTTLS when offered), smtps://")
      ->type_name("URL");
  app.add_flag("--require-tls", o.smtp_options.require_tls, "With --smtp smtp://: stop unless STARTTLS works");
  app.add_option("--netrc", o.smtp_options.netrc, "With --smtp: the netrc file with the server's credentials")
      ->type_name("FILE");
  app.add_option("--parallel", o.parallel, "Messages in flight at once: SMTP connections, or sendmail processes")
      ->capture_default_str()
      ->check(CLI::Range(1, 64))
      ->type_name("N");
  app.add_flag("--mta-verp", o.notify.mta_verp,
               "The MTA makes the VERP senders (Postfix's sendmail -XV): one message for --batch subscribers");
  app.add_option("--batch", o.notify.batch,
                 "Recipients of one message, when they can share it (no VERP by us, no reply keys)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000))
      ->type_name("N");
  app.add_option("--commit-every", o.notify.commit_every,
                 "Record N accepted deliveries at a time (a crash re-sends at most these and those in flight)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->type_name("N");
  app.add_option("--lease", o.notify.lease_seconds,
                 "A forum's lease on the database: another run waits this long after a run that was killed")
      ->capture_default_str()
      ->check(CLI::Range(10, 86400))
      ->type_name("SECONDS");
  forum::add_forum_options(app, o.forum, "forumnotify");
  app.add_option("--unsubscribe-url", o.notify.unsubscribe_url,
                 "A one-click unsubscription URL (https), with {forum} and {address}")
      ->type_name("PATTERN");
  app.add_option("--archive-url", o.notify.archive_url, "The forum's web page, with {forum}: List-Archive")
      ->type_name("PATTERN");
  app.add_option("--post-url", o.notify.post_url, "A post's web page, with {forum}, {thread} and {post}")
      ->type_name("PATTERN");
  app.add_option("--attachments-dir", o.notify.attachments_dir, "W-Agora's base directory: attach from it")
      ->type_name("DIR");
  app.add_option("--attachments-url", o.notify.attachments_url, "The same directory on the web: link attachments")
      ->type_name("URL");
  app.add_option("--max-attached", o.notify.max_attached, "The largest attachment attached (larger: linked), bytes")
      ->capture_default_str()
      ->type_name("BYTES");
  app.footer(
      "Exit status: 0 done, 67 no such forum, 69 libcurl missing, 75 the MTA deferred\n"
      "(the rest waits for the next run), 78 configuration. See forumnotify(1).");
  return program.run(argc, argv, [&] { return run(o); });
}
