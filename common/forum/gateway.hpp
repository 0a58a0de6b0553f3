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

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "cli/exit_status.hpp"
#include "forum/db.hpp"
#include "forum/profile.hpp"
#include "forum/route.hpp"
#include "post/record.hpp"

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
  bool dry_run = false;                                     // print the writes, do not run them
  std::function<void(const std::string&)> print = nullptr;  // where dry-run output goes
  // Confirmations of (un)subscriptions.
  std::string sendmail = "/usr/sbin/sendmail -t -i";
  std::string loop_value;  // our X-Loop, on every mail we send
  unsigned confirm_hours = 72;
  // Attachments: written under attachment_base/att_path as W-Agora does.
  std::string attachment_base;  // "" : attachments are not stored
  std::string attachment_path = "attachments";
  std::uint64_t max_attachment = 4 << 20;
  std::vector<std::string> attachment_types = {
      "image/png",       "image/jpeg",      "image/gif",        "image/webp",         "text/plain",
      "application/pdf", "application/zip", "application/gzip", "application/x-gzip", "application/x-tar"};
  // The decoded bytes of an attachment of the record, when they can be had.
  std::function<std::optional<std::string>(const post::Attachment&)> attachment_data = nullptr;
};

enum class Outcome { posted, duplicate, ignored, requested, subscribed, unsubscribed, refused, deferred };
std::string_view to_string(Outcome outcome);

struct Result {
  Outcome outcome = Outcome::refused;
  Exit status = Exit::ok;
  std::string forum;
  std::string action;
  std::string reason;      // why it was ignored, refused or deferred
  std::uint64_t post = 0;  // the post's id (cle)
  std::uint64_t thread = 0;
  // Deferred because the group was rolled back to undo this message's
  // writes: the group's messages are to be handled again, then this one.
  bool replay = false;
};

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

// Thrown by Gateway::commit_group() when the group was rolled back to find
// which of its messages the server refuses: hand its messages in again.
class ReplayGroup : public Error {
 public:
  using Error::Error;
};

class Gateway {
 public:
  Gateway(Connection& db, Profile profile, GatewayOptions options);
  // Never throws for a message's own problems: they are the Result.
  Result handle(const post::Record& record);
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
  void begin_group();
  void commit_group();
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
  void check_schema();

 private:
  struct Forum {
    std::string name;
    std::string table;           // its message table
    std::string charset;         // of its body column
    std::uint64_t body_max = 0;  // the bytes its body column takes (0: unknown)
  };
  struct Member {
    std::string userid;
  };
  struct Counts {
    std::int64_t posts = 0, threads = 0, last = 0;
  };

  Result handle_undoable(const post::Record& record);
  Result handle_or_throw(const post::Record& record);
  // The columns the statements use of a table (its placeholder).
  std::vector<std::string> wanted_columns(const std::string& placeholder) const;
  // What is missing of the tables (placeholder, name) the statements use;
  // columns: where their rows go (name, column, charset, octet length).
  std::vector<std::string> missing_columns(const std::vector<std::pair<std::string, std::string>>& tables,
                                           std::vector<Row>* columns = nullptr);
  std::optional<Route> route(const post::Record& record, std::string& routed_address) const;
  std::optional<Forum> find_forum(const std::string& name);
  Result post(const post::Record& record, const Forum& forum);
  Result request(const post::Record& record, const Forum& forum, Action action, const std::string& routed);
  Result confirm(const post::Record& record, const Forum& forum, const std::string& token);
  std::optional<Member> find_member(const std::string& address);
  bool may_write(const Member& member, const Forum& forum);
  void store_attachments(const post::Record& record, std::uint64_t post_id, std::int64_t now,
                         std::vector<std::pair<std::string, std::string>>& files);
  // A message's writes: a transaction of their own, or a savepoint in the
  // group's; committed (or, grouped, left for commit_group()) with the
  // attachment files to rename after, or undone.
  void begin_message();
  void end_message(std::vector<std::pair<std::string, std::string>> files);
  void undo_message();
  void rename_files(const std::vector<std::pair<std::string, std::string>>& files);
  void lose_group(const std::string& reason);
  void restart_group();
  void discard_group();
  void commit_open_group();
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> find_messages(const Forum& forum,
                                                                             const std::vector<Value>& params);
  void add_upcoming_keys(const Forum& forum, std::vector<Value>& params) const;
  void count_post(const std::string& forum, const std::string& userid, bool new_thread, std::int64_t t);
  void write_counts();
  void write_records();
  std::vector<Row> read(const std::string& name, const std::vector<Value>& params, const std::string& table = "",
                        std::size_t keys = 1);
  std::uint64_t write(const std::string& name, const std::vector<Value>& params, const std::string& table = "");

  Connection& db_;
  Profile profile_;
  GatewayOptions o_;
  WebMessageId web_id_;
  std::map<std::string, Forum> forums_;
  std::map<std::string, std::optional<Member>> members_;               // by address
  std::map<std::pair<std::string, std::string>, bool> writers_;        // (userid, forum): may write
  std::map<std::string, Counts> forum_counts_;                         // the open group's, by forum
  std::map<std::pair<std::string, std::string>, Counts> user_counts_;  // by (userid, forum)
  std::vector<std::vector<Value>> group_records_;                      // record_message's values, written at the commit
  std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, std::int64_t>>
      group_keys_;                                                  // their (forum, key): post, thread
  std::map<std::string, std::vector<std::int64_t>> group_threads_;  // threads started, by message table
  bool in_message_ = false;                                         // between begin_message() and its end or undo
  bool grouped_ = false, group_open_ = false, group_lost_ = false;
  bool savepoints_ = true;  // grouped: a savepoint per message (after a replay)
  bool wrote_ = false;      // the message at hand has written
  bool replay_ = false;     // the group was rolled back to undo the message at hand
  std::string lost_reason_;
  std::vector<std::pair<std::string, std::string>> group_files_;  // renamed at the group's commit
  std::vector<const post::Record*> upcoming_;                     // see expect()
  // find_message's answers in the open group, for looked_up_forum_: each
  // key asked, and its (post, thread) when found.
  std::map<std::string, std::optional<std::pair<std::int64_t, std::int64_t>>> looked_up_;
  std::string looked_up_forum_;
  // Whether a read in a transaction stays true until it ends (see
  // snapshot_reads()); asked once.
  std::optional<bool> snapshot_reads_;
  bool snapshot_reads();
};

// Whether one of the Authentication-Results values, from authserv_id,
// says dmarc=pass, or dkim=pass with header.d (or header.i's domain) the
// From address's domain or a parent of it.
bool authenticated(const std::vector<std::string>& results, const std::string& authserv_id,
                   const std::string& from_address);

// The key that makes a message unique in a forum: SHA-256 of its
// Message-ID, or of sender, date, subject and text when it has none.
std::string message_key(const post::Record& record);

}  // namespace forumgate::forum
