#pragma once
// The transaction the gateway's writes go into: one per message, or, in
// group commit (forumpost --queue), one for a group of messages, with a
// savepoint per message once a replay asked for it; and what a group
// writes only at its commit (counters, Message-ID records, threads
// started) or renames after it (attachment files). All of the group's
// state is here; Gateway (gateway.hpp) says what the caller sees of it.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "forum/db.hpp"
#include "forum/profile.hpp"
#include "util/error.hpp"

namespace forumgate::forum {

// Thrown by Gateway::commit_group() when the group was rolled back to find
// which of its messages the server refuses: hand its messages in again.
class ReplayGroup : public Error {
 public:
  using Error::Error;
};

// Attachment files written under a temporary name: (temporary, final).
using FileRenames = std::vector<std::pair<std::string, std::string>>;

class Group {
 public:
  // dry_run: writes are printed (to print, when set), never run.
  Group(Connection& db, const Profile& profile, bool dry_run, std::function<void(const std::string&)> print);

  // The profile's statement name, with params.
  std::vector<Row> read(const std::string& name, const std::vector<Value>& params, const std::string& table = "",
                        std::size_t keys = 1);
  std::uint64_t write(const std::string& name, const std::vector<Value>& params, const std::string& table = "");

  // Group commit: see Gateway::begin_group() and commit_group().
  void begin();
  void commit();
  bool grouped() const { return grouped_; }
  // What is open committed now: a confirmation's token must be in the
  // database before its mail goes.
  void commit_if_open();

  // A message's writes: a transaction of their own, or a savepoint in the
  // group's; committed (or, grouped, left for commit()) with the
  // attachment files to rename after, or undone.
  void begin_message();
  void end_message(FileRenames files);
  void undo_message();
  // The handling of the message at hand failed with e: the group is lost
  // when the server is (75 in an open group), else the message's writes
  // are undone.
  void fail_message(const Error& e);
  // The message at hand ends with the group rolled back (a ReplayGroup
  // from a commit on its way): it is to be handed in again, after the
  // group's messages.
  void replay_message();
  // Whether the group was rolled back to undo the message at hand;
  // take_replay() forgets it too.
  bool replay() const { return replay_; }
  bool take_replay();

  // Whether a message's thread start and Message-ID record wait for the
  // commit (grouped, without a savepoint per message).
  bool defers() const { return grouped_ && !dry_run_ && !savepoints_; }
  void defer_thread(const std::string& table, std::int64_t post);
  void defer_record(const std::string& forum, const std::string& key, std::vector<Value> record, std::int64_t post,
                    std::int64_t thread);
  // The (post, thread) of a record deferred in the open group, or null.
  const std::pair<std::int64_t, std::int64_t>* deferred(const std::string& forum, const std::string& key) const;
  // A posted message counted: one UPDATE per forum and writer at the
  // commit, grouped; at once otherwise.
  void count_post(const std::string& forum, const std::string& userid, bool new_thread, std::int64_t t);

  // find_message's answers in the open group, for the forum last asked
  // about: each key asked, and its (post, thread) when found. They are
  // kept only while holds_lookups(), and dropped when the group ends.
  struct Lookups {
    std::string forum;
    std::map<std::string, std::optional<std::pair<std::int64_t, std::int64_t>>> keys;
  };
  Lookups& lookups() { return lookups_; }
  // Whether an answer read in the open group holds until it ends: the
  // group's records are written only at its commit, by the built-in
  // statements, and reads see one snapshot.
  bool holds_lookups();

 private:
  void commit_pending();
  void restart();
  void lose(const std::string& reason, unsigned code);
  void discard();
  void rename_files(const FileRenames& files);
  void write_counts();
  void write_records();
  bool snapshot_reads();

  struct Counts {
    std::int64_t posts = 0, threads = 0, last = 0;
  };

  Connection& db_;
  const Profile& profile_;
  bool dry_run_;
  std::function<void(const std::string&)> print_;
  std::map<std::string, Counts> forum_counts_;                         // the open group's, by forum
  std::map<std::pair<std::string, std::string>, Counts> user_counts_;  // by (userid, forum)
  std::vector<std::vector<Value>> records_;                            // record_message's values
  std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, std::int64_t>>
      keys_;                                                  // their (forum, key): post, thread
  std::map<std::string, std::vector<std::int64_t>> threads_;  // threads started, by message table
  bool in_message_ = false;                                   // between begin_message() and its end or undo
  bool grouped_ = false, open_ = false, lost_ = false;
  bool savepoints_ = true;  // grouped: a savepoint per message (after a replay)
  bool wrote_ = false;      // the message at hand has written
  bool replay_ = false;     // the group was rolled back to undo the message at hand
  std::string lost_reason_;
  unsigned lost_code_ = 0;  // the server's error that lost it
  FileRenames files_;       // renamed at the group's commit
  Lookups lookups_;
  // Whether a read in a transaction stays true until it ends (see
  // snapshot_reads()); asked once.
  std::optional<bool> snapshot_reads_;
};

}  // namespace forumgate::forum
