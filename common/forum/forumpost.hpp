#pragma once
// forumpost's work below its command line: one message, a queue Maildir
// (--queue) or post records (--records), each handed to a Gateway over one
// connection and logged on one line, Postfix style. What forumpost(1) says
// of the options holds here; which exit status a run ends with, and in
// which style (sysexits or qmail's), the caller decides.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "forum/options.hpp"
#include "util/exit_status.hpp"

namespace forumgate::forum {

// With the options every program of the forum shares (forum/options.hpp).
struct ForumpostOptions : ForumOptions {
  std::vector<std::string> files;  // the message, or with records, files of records ("-": standard input)
  std::string queue;               // a queue Maildir: files and records are not used
  bool delete_done = false;
  bool stop_on_tempfail = false;
  std::size_t commit_every = 100;
  unsigned commit_time_ms = 200;  // a group is committed at the latest this long after its first message
  bool records = false;
  bool policy_service = false;  // answer Postfix's policy requests on standard input
  bool dry_run = false;
  std::string recipient;
  std::string forum;
  std::string action;
  std::string policy = "open";
  std::vector<std::string> forum_policies;  // FORUM=POLICY
  bool subject_fallback = false;
  std::string require_auth;
  std::string sendmail = "/usr/sbin/sendmail -t -i";
  bool no_notices = false;
  unsigned sender_limit = 20, sender_hide = 0, forum_limit = 0, forum_hide = 0;
  std::string notice_dir;
  std::string attachments_dir;
  std::string attachment_path = "attachments";
  std::string attachments_url;
  std::uint64_t max_attachment = 4 << 20;
  std::vector<std::string> attachment_types;
};

// How a run ended: the status it calls for, or the signal that stopped a
// queue (0: none).
struct ForumpostStatus {
  Exit status = Exit::ok;
  int signal = 0;
};

// Checks the options, the attachment directory and the option file (an
// Error for each problem, thrown), connects and checks the schema (an
// Error there is logged and returned), then posts.
ForumpostStatus run_forumpost(const ForumpostOptions& options);

}  // namespace forumgate::forum
