#pragma once
// forumnotify's one step: the posts made since the last run, by mail or on
// the web, sent to each forum's confirmed subscribers.
//
// What it guarantees (forumnotify(1) says it for users):
// - No post is skipped: a forum's new posts are taken into its outbox (with
//   the cursor that says how far it has looked) in one transaction, and a
//   post leaves the outbox only when every subscriber has it. A hidden post
//   waits there until a moderator shows it.
// - Each (post, subscriber) is recorded only after the MTA accepted it,
//   commit_every at a time (and at least every second): a run that dies
//   re-sends at most those accepted since the last commit and those in
//   flight, with the same Message-ID and the same bytes.
// - The MTA deferring or unreachable: the run stops handing it mail, records
//   what it accepted, and reports deferred (exit 75); the rest waits.
// - One run per forum at a time, on one server or a cluster: a lease row
//   in the database, taken for lease_seconds and renewed while the run
//   sends; a forum another run holds is skipped and reported deferred, and
//   a run that finds its lease taken over stops sending. The lease of a
//   run of this host whose process is gone is taken at once.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "forum/bounces.hpp"
#include "forum/db.hpp"
#include "forum/profile.hpp"
#include "forum/reply_key.hpp"
#include "notify/sender.hpp"

namespace forumgate::notify {

struct NotifyOptions {
  std::string address = "{forum}@";  // forumpost's --address; needs a domain here
  std::string web_message_id;        // forumpost's --web-message-id
  // The envelope sender: {forum}, and the subscriber's {local} and
  // {domain} (VERP); ending in "@", the domain of the forum's address.
  std::string bounce = "{forum}-bounces+{local}={domain}@";
  // The MTA makes the VERP senders from the pattern's base (Postfix's
  // sendmail -XV): one message for many subscribers.
  bool mta_verp = false;
  std::optional<forum::ReplyKeys> reply_keys;  // Reply-To a key when set
  forum::BounceLimits bounce_limits;           // an SMTP refusal counts as a hard bounce
  std::string unsubscribe_url;                 // https URL pattern: {forum}, {address}
  std::string archive_url;                     // {forum}
  std::string post_url;                        // {forum}, {post}, {thread}
  std::string loop;                            // our X-Loop value
  std::vector<std::string> forums;             // only these (empty: every forum)
  std::optional<std::int64_t> since_post;      // a forum's first run starts after it
  bool copy_author = false;
  bool dry_run = false;
  std::size_t commit_every = 100;
  std::int64_t lease_seconds = 300;               // a forum's lease: how long a killed run keeps it
  std::size_t batch = 50;                         // recipients of one message, when they can share it
  std::string attachments_dir;                    // W-Agora's base directory: attach from it
  std::string attachments_url;                    // the same on the web: link what is not attached
  std::uint64_t max_attached = 1 << 20;           // attach files up to this size
  std::function<void(const std::string&)> print;  // --dry-run's output
};

struct NotifyReport {
  std::size_t posts = 0;     // posts sent to every subscriber
  std::size_t messages = 0;  // (post, subscriber) the MTA accepted
  std::size_t refused = 0;   // (post, subscriber) the MTA refused
  std::size_t disabled = 0;  // subscriptions disabled by refusals
  std::size_t waiting = 0;   // posts left in outboxes (hidden, deferred)
  bool deferred = false;     // the MTA deferred, or a forum was busy
  std::string reason;        // why, when deferred
};

NotifyReport notify(forum::Connection& db, const forum::Profile& profile, const NotifyOptions& options, Sender& sender);

// Checks that the tables and columns of the statements forumnotify uses
// exist; Error(78) naming what is missing.
void check_notify_schema(forum::Connection& db, const forum::Profile& profile);

}  // namespace forumgate::notify
