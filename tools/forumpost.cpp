// forumpost: write posts, replies and subscriptions into a forum's
// database. See forumpost(1).

#include <string>

#include "cli/log.hpp"
#include "cli/program.hpp"
#include "forum/forumpost.hpp"
#include "util/error.hpp"

using namespace forumgate;

namespace {

struct Options {
  forum::ForumpostOptions post;
  std::string exit_codes = "sysexits";
  bool strict_config = false;
};

// The value an option was given last (on the command line or in the
// config file), read from what the parser saw: the edge must know it even
// when the parse itself failed.
std::string given(const CLI::App& app, const std::string& name) {
  const CLI::Option* option = app.get_option_no_throw(name);
  if (!option || option->results().empty()) return "";
  return option->results().back();
}

bool present(const CLI::App& app, const std::string& name) {
  const CLI::Option* option = app.get_option_no_throw(name);
  return option && option->count() > 0;
}

// The one exit edge: every status passes here, whatever ended the run.
// One message from an MTA (no --queue, no --records): a configuration
// problem is the administrator's to fix, and the MTA bounces on 78, so the
// mail waits instead (75), unless --strict-config. Then qmail-command(8)'s
// styles: 0 delivered, 100 permanent failure (bounce), 111 temporary
// failure (try again); a signal's 128+N is a temporary one.
int exit_edge(const CLI::App& app, int code) {
  const bool pipe = !present(app, "--queue") && !present(app, "--records") && !present(app, "--policy-service");
  if (code == status(Exit::config) && pipe && !present(app, "--strict-config")) {
    log::notice("a configuration problem: the message waits (75) until it is fixed; --strict-config exits 78");
    code = status(Exit::tempfail);
  }
  if (given(app, "--exit-codes") != "qmail" || code == 0) return code;
  return code == status(Exit::tempfail) || code > 128 ? 111 : 100;
}

void check_usage(const Options& o) {
  if (!o.post.queue.empty() && (o.post.records || !o.post.files.empty()))
    throw Error(Exit::usage, "--queue takes no FILE and no --records");
  if (o.exit_codes != "sysexits" && o.exit_codes != "qmail")
    throw Error(Exit::usage, "--exit-codes " + o.exit_codes + ": sysexits or qmail");
}

int run(const Options& o) {
  check_usage(o);
  forum::ForumpostStatus done = forum::run_forumpost(o.post);
  if (done.signal) return 128 + done.signal;
  return status(done.status);
}

}  // namespace

int main(int argc, char** argv) {
  cli::Program program("forumpost", "Post a mail message (or a queue of them) into a forum's database.");
  program.usage("[OPTIONS] [FILE]");
  Options o;
  CLI::App& app = program.app();
  app.add_option("files", o.post.files, "The message (default: standard input); with --records, files of records")
      ->type_name("FILE");
  app.add_option("--queue", o.post.queue, "Post every message of the queue Maildir DIR, in order")->type_name("DIR");
  app.add_flag("--delete", o.post.delete_done, "With --queue: delete what is done instead of moving it into cur/");
  app.add_flag("--stop-on-tempfail", o.post.stop_on_tempfail,
               "With --queue: stop at the first message that must wait (exit 75)");
  app.add_option("--commit-every", o.post.commit_every,
                 "With --queue: commit N messages at a time; their files leave new/ after the commit")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->type_name("N");
  app.add_option("--commit-time", o.post.commit_time_ms,
                 "With --queue: commit a group at the latest MS milliseconds after its first message")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->type_name("MS");
  app.add_flag("--policy-service", o.post.policy_service,
               "Answer Postfix's policy requests (check_policy_service, under spawn(8)) on standard input");
  app.add_flag("--records", o.post.records, "Read post records (JSON Lines from mimeparse) instead of a message");
  app.add_flag("-n,--dry-run", o.post.dry_run,
               "Print the statements that would write, and their values; write nothing");
  app.add_option("-r,--recipient", o.post.recipient, "The envelope recipient (as Postfix's ${recipient})")
      ->type_name("ADDRESS");
  app.add_option("--forum", o.post.forum, "Post to forum NAME whatever the recipient")->type_name("NAME");
  app.add_option("--action", o.post.action, "post, subscribe or unsubscribe, whatever the recipient")
      ->type_name("ACTION");
  forum::add_forum_options(app, o.post, "forumpost");
  app.add_option("--policy", o.post.policy, "Who may post: open, members or moderated")
      ->capture_default_str()
      ->type_name("POLICY");
  app.add_option("--forum-policy", o.post.forum_policies, "The policy of one forum (repeatable)")
      ->type_name("FORUM=POLICY")
      ->allow_extra_args(false);
  app.add_option("--require-auth", o.post.require_auth,
                 "Post only with a DMARC or DKIM pass in Authentication-Results from AUTHSERV-ID")
      ->type_name("AUTHSERV-ID");
  app.add_flag("--subject-fallback", o.post.subject_fallback,
               "A reply that names no known parent joins the newest thread of its subject");
  app.add_option("--sendmail", o.post.sendmail,
                 "The command that sends confirmations and notices (reads the mail, like sendmail -t)")
      ->capture_default_str()
      ->type_name("COMMAND");
  app.add_option("--sender-limit", o.post.sender_limit,
                 "A sender's posts in any hour; past them its messages wait (0: no limit)")
      ->capture_default_str()
      ->type_name("N");
  app.add_option(
         "--sender-hide", o.post.sender_hide,
         "A sender's posts and waiting messages in an hour past which the rest is posted hidden (0: twice the limit)")
      ->capture_default_str()
      ->type_name("N");
  app.add_option("--forum-limit", o.post.forum_limit,
                 "A forum's posts in any hour; past them its messages wait (0: no limit)")
      ->capture_default_str()
      ->type_name("N");
  app.add_option(
         "--forum-hide", o.post.forum_hide,
         "A forum's posts and waiting messages in an hour past which the rest is posted hidden (0: twice the limit)")
      ->capture_default_str()
      ->type_name("N");
  app.add_flag("--no-notices", o.post.no_notices, "Send no rejection notices to the senders of refused messages");
  app.add_option("--notice-dir", o.post.notice_dir,
                 "Rejection notices' texts: DIR/FORUM/REASON.txt, then DIR/REASON.txt, then the built-in ones")
      ->type_name("DIR");
  app.add_option("--attachments-dir", o.post.attachments_dir, "W-Agora's base directory: store attachments under it")
      ->type_name("DIR");
  app.add_option("--attachment-path", o.post.attachment_path, "The attachments' directory within DIR (att_path)")
      ->capture_default_str()
      ->type_name("PATH");
  app.add_option("--attachments-url", o.post.attachments_url,
                 "The same directory on the web: an inline image's place in the post links to its file")
      ->type_name("URL");
  app.add_option("--max-attachment", o.post.max_attachment, "The largest attachment stored, in bytes")
      ->capture_default_str()
      ->type_name("BYTES");
  app.add_option("--attachment-type", o.post.attachment_types,
                 "A content type stored (repeatable; replaces the default list)")
      ->type_name("TYPE")
      ->allow_extra_args(false);
  app.add_option("--exit-codes", o.exit_codes, "sysexits, or qmail (0, 100, 111) for qmail-command(8)")
      ->capture_default_str()
      ->type_name("STYLE");
  app.add_flag("--strict-config", o.strict_config,
               "One message: a configuration problem exits 78 (the MTA bounces) instead of 75 (it waits)");
  app.footer(
      "Exit status: 0 posted (or a duplicate, or ignored), 64 usage, 65 not a message, 67 no\n"
      "such forum, 75 try again later (one message: configuration too), 77 sender not\n"
      "permitted, 78 configuration. See forumpost(1).");
  return program.run(
      argc, argv, [&] { return run(o); }, [&](int code) { return exit_edge(app, code); });
}
