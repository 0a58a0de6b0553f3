#pragma once
// What forumpost does with one post record: route it to a forum and an
// action, apply the forum's sender policy, and post it, exactly once, or
// handle a (un)subscription with its confirmation.
//
// Exactly once: the post, its counters, its Message-ID record and its
// attachment rows are one transaction, and the Message-ID record (unique
// per forum; a hash of the content when there is no Message-ID) is what
// makes a second delivery of the same message a duplicate, even when both
// run at the same time.
//
// Its parts: auth (sender authentication), schema (the tables checked),
// group (the transactions and the group commit), post, attachments and
// subscription.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "forum/bounce_address.hpp"
#include "forum/bounces.hpp"
#include "forum/db.hpp"
#include "forum/group.hpp"
#include "forum/profile.hpp"
#include "forum/reply_key.hpp"
#include "forum/route.hpp"
#include "forum/schema.hpp"
#include "post/record.hpp"
#include "util/exit_status.hpp"

namespace forumgate::forum {

enum class Policy { open, members, moderated };
Policy parse_policy(const std::string& name);  // Error(78) for an unknown one
std::string_view to_string(Policy policy);

struct GatewayOptions {
  AddressPattern pattern;
  std::optional<std::string> recipient;  // the envelope recipient, when known
  std::optional<std::string> forum;      // --forum: skip routing
  std::optional<Action> action;          // --action
  Policy default_policy = Policy::open;
  std::map<std::string, Policy> policies;  // per forum
  // When set: a post needs a dmarc=pass, or a dkim=pass for the From
  // domain, in an Authentication-Results field of this authserv-id
  // (RFC 8601). The MTA must remove such fields that arrive from outside.
  std::string require_auth;
  bool subject_fallback = false;  // a "Re: subject" joins the newest thread of that subject
  // The Message-ID the forum gives its notification mails of web posts,
  // with {forum} and {post} (its cle), e.g. "<{post}.{forum}@forum.example.org>":
  // a reply naming such an id replies to that web post. "": none.
  std::string web_message_id;
  // The envelope sender of the forum's own mail (forumnotify's --bounce):
  // what comes to such an address is a bounce, counted against the
  // subscriber it names (bounce_mail.cpp), never posted or answered.
  std::optional<BounceAddress> bounce;
  BounceLimits bounce_limits;
  // Set: a reply to "{forum}+r{post}.{key}" whose key verifies for its
  // sender is threaded under that post, whatever its header says.
  std::optional<ReplyKeys> reply_keys;
  bool dry_run = false;                                     // print the writes, do not run them
  std::function<void(const std::string&)> print = nullptr;  // where dry-run output goes
  // Confirmations of (un)subscriptions.
  std::string sendmail = "/usr/sbin/sendmail -t -i";
  std::string loop_value;  // our X-Loop, on every mail we send
  unsigned confirm_hours = 72;
  // Attachments: written under attachment_base/att_path as W-Agora does.
  std::string attachment_base;  // "" : attachments are not stored
  std::string attachment_path = "attachments";
  // The attachment base on the web: an inline image's words in the body
  // link to its stored file. "": the words stay words.
  std::string attachments_url;
  std::uint64_t max_attachment = 4 << 20;
  std::vector<std::string> attachment_types = {
      "image/png",       "image/jpeg",      "image/gif",        "image/webp",         "text/plain",
      "application/pdf", "application/zip", "application/gzip", "application/x-gzip", "application/x-tar"};
  // Flood control (flood.cpp): posts in any 60 minutes, per sender (its
  // From address) and per forum, 0 for no limit; the hide limits (0:
  // twice the limit) count posts and waits.
  unsigned sender_limit = 20, sender_hide = 0;
  unsigned forum_limit = 0, forum_hide = 0;
  // Rejection notices (notice.hpp): off with --no-notices; texts from
  // notice_dir first, when set.
  bool notices = true;
  std::string notice_dir;
  // The decoded bytes of an attachment of the record, when they can be had.
  std::function<std::optional<std::string>(const post::Attachment&)> attachment_data = nullptr;
};

// What the flood limits say of a message: post it, let it wait, or post
// it hidden (ordered: a later one wins).
enum class Flood { post, wait, hide };
std::string_view to_string(Flood flood);

enum class Outcome { posted, duplicate, ignored, requested, subscribed, unsubscribed, refused, deferred };
std::string_view to_string(Outcome outcome);

struct Result {
  Outcome outcome = Outcome::refused;
  Exit status = Exit::ok;
  std::string forum;
  std::string action;
  std::string reason;      // why it was ignored, refused or deferred
  std::string notice;      // refused: the notice its sender may get ("": none)
  std::uint64_t post = 0;  // the post's id (cle)
  std::uint64_t thread = 0;
  // Deferred because the group was rolled back to undo this message's
  // writes: the group's messages are to be handled again, then this one.
  bool replay = false;
  // Deferred by a conflict with another writer (see is_conflict): made
  // again, it may go through at once.
  bool conflict = false;
};

// What the envelope alone says of a message at RCPT time (see admit()):
// go on (the message's own checks come later), refuse it for good (the
// result says why), or let it wait (over its rate).
struct Admission {
  enum class Verdict { go_on, reject, wait } verdict = Verdict::go_on;
  Result result;
};

// Whether recipient is one the envelope check may judge: a forum address,
// or another in the pattern's own domain, never postmaster (door.cpp).
bool ours_to_judge(const AddressPattern& pattern, const std::string& recipient);

// GatewayOptions::web_message_id, made a regular expression once.
class WebMessageId {
 public:
  explicit WebMessageId(const std::string& pattern);
  // The post number in id when id is one of forum's web post ids, else 0.
  std::int64_t post(const std::string& forum, const std::string& id) const;

 private:
  std::optional<std::regex> regex_;
  std::size_t forum_group_ = 0, post_group_ = 1;
};

class Gateway {
 public:
  Gateway(Connection& db, Profile profile, GatewayOptions options);
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;
  // Never throws for a message's own problems: they are the Result.
  Result handle(const post::Record& record);
  // What the envelope says (door.cpp): the same checks handle() makes of
  // a message's route, forum, sender policy and rate, with the envelope
  // sender. Throws Error for the database's problems.
  Admission admit(const std::string& sender, const std::string& recipient);
  // Group commit (forumpost --queue): from begin_group() on, the messages
  // handled share one transaction until commit_group(). Their posts are
  // durable only when it returns: the caller moves their files after it.
  // A message refused after some of its writes (a concurrent delivery
  // recorded its Message-ID first, a value a column refuses) rolls the
  // group back and comes back as deferred with replay set: the caller
  // hands the group's messages in again, then this one, and from then on,
  // for the rest of the run, each message has a savepoint of its own, so
  // that a refusal undoes only its writes and nothing is rolled back twice.
  // A savepoint per message costs a round trip for each, and refusals
  // after a write are rare.
  // When the group is lost (the server gone, a deadlock, an uncertain
  // commit), commit_group() throws Error(75): nothing handled since the
  // last commit_group() is known to be posted; it stays queued, and what
  // was committed after all comes back as duplicates. When a Message-ID
  // record, written with the group's at its commit, is refused, it throws
  // ReplayGroup: the messages are to be handed in again, as for replay.
  void begin_group() { group_.begin(); }
  void commit_group() { group_.commit(); }
  // The records of the messages that come next, in order (forumpost
  // --queue's read-ahead), until the next handle(): in an open group,
  // their keys and parents are looked up with the message's own, in one
  // query, and the next messages need none of their own. Pointers only:
  // the caller keeps the records until handle() returns.
  void expect(std::vector<const post::Record*> upcoming) { upcoming_ = std::move(upcoming); }
  // Checks that every table and column the statements use exists;
  // Error(78) naming all that are missing. {messages} tables are checked
  // when a forum is first used. One cheap statement naming them all, and
  // information_schema asked only when it fails.
  void check_schema() { forum::check_schema(db_, profile_); }

 private:
  struct Member {
    std::string userid;
  };

  static std::int64_t now();
  static Result refused(Exit status, std::string reason, std::string notice = "");
  Result handle_undoable(const post::Record& record);
  Result handle_or_throw(const post::Record& record);
  std::optional<Route> route(const post::Record& record, std::string& routed_address) const;
  // The addresses a message may have come to, the likeliest first: the
  // envelope recipient, Delivered-To, To, Cc.
  std::vector<std::string> recipients(const post::Record& record) const;
  // Asked once per run, as are members and who may write: a queue brings
  // the same forums and senders again and again.
  std::optional<Forum> find_forum(const std::string& name);
  // post.cpp; reply_to: the post a verified reply key names, or 0.
  Result post(const post::Record& record, const Forum& forum, std::int64_t reply_to = 0);
  // The post a route's reply key names, when it verifies for the sender.
  std::int64_t keyed_parent(const post::Record& record, const Route& route, std::string& why) const;
  // bounce_mail.cpp
  std::optional<BounceTarget> bounce_target(const post::Record& record) const;
  Result bounce(const post::Record& record, const BounceTarget& target);
  std::optional<Member> find_member(const std::string& address);
  bool may_write(const Member& member, const Forum& forum);
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> find_messages(const Forum& forum,
                                                                             const std::vector<Value>& params);
  void add_upcoming_keys(const Forum& forum, std::vector<Value>& params) const;
  // subscription.cpp
  Result request(const post::Record& record, const Forum& forum, Action action);
  Result confirm(const post::Record& record, const Forum& forum, const std::string& token);
  // door.cpp
  Policy policy_of(const Forum& forum) const;
  std::optional<Result> unknown_forum(const std::string& name, std::optional<Forum>& forum);
  std::optional<Result> sender_refused(const std::string& sender, const Forum& forum, std::optional<Member>& member);
  // flood.cpp
  static std::string rate_name(const std::string& sender);
  std::pair<std::int64_t, std::int64_t> rate_counts(const std::string& scope, const std::string& name);
  Flood flood(const std::string& sender, const std::string& forum);
  // A post (in the message's transaction) or a wait counted.
  void count_rate(const std::string& sender, const std::string& forum, bool posted);
  // notice.cpp
  void send_notice(const post::Record& record, const Result& result, const std::string& recipient);

  Connection& db_;
  Profile profile_;
  GatewayOptions o_;
  WebMessageId web_id_;
  Group group_;  // the transactions, and all the group commit's state
  std::map<std::string, Forum> forums_;
  std::map<std::string, std::optional<Member>> members_;         // by address
  std::map<std::pair<std::string, std::string>, bool> writers_;  // (userid, forum): may write
  std::vector<const post::Record*> upcoming_;                    // see expect()
  bool rates_expired_ = false;                                   // old rate rows deleted this run
};

// The key that makes a message unique in a forum: SHA-256 of its
// Message-ID, or of sender, date, subject and text when it has none.
std::string message_key(const post::Record& record);

}  // namespace forumgate::forum
