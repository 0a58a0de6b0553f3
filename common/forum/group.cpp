#include "forum/group.hpp"

#include <mysqld_error.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "cli/log.hpp"
#include "forum/body.hpp"
#include "util/printable.hpp"

namespace forumgate::forum {

namespace {

std::string render_params(const std::vector<Value>& params) {
  std::string out;
  for (const auto& v : params) {
    out += out.empty() ? "" : ", ";
    if (std::holds_alternative<std::nullptr_t>(v)) out += "NULL";
    else if (auto* n = std::get_if<std::int64_t>(&v)) out += std::to_string(*n);
    else {
      std::string s = std::get<std::string>(v);
      if (s.size() > 60) s = truncate_utf8(s, 57) + "...";
      // A message's bytes, for a terminal: shown, never obeyed.
      out += "'" + util::printable(s) + "'";
    }
  }
  return out;
}

}  // namespace

Group::Group(Connection& db, const Profile& profile, bool dry_run, std::function<void(const std::string&)> print)
    : db_(db), profile_(profile), dry_run_(dry_run), print_(std::move(print)) {}

std::vector<Row> Group::read(const std::string& name, const std::vector<Value>& params, const std::string& table,
                             std::size_t keys) {
  return db_.query(profile_.sql(name, table, keys), params);
}

std::uint64_t Group::write(const std::string& name, const std::vector<Value>& params, const std::string& table) {
  if (dry_run_) {
    if (print_) print_(name + ": " + profile_.sql(name, table) + "\n  with " + render_params(params) + "\n");
    return 0;
  }
  wrote_ = true;
  db_.execute(profile_.sql(name, table), params);
  return db_.last_insert_id();
}

void Group::begin_message() {
  in_message_ = true;
  wrote_ = false;
  if (!grouped_ || dry_run_) {
    db_.begin();
    return;
  }
  if (!open_) {
    db_.begin();
    open_ = true;
  }
  if (savepoints_) db_.savepoint("fg_message");
}

void Group::end_message(FileRenames files) {
  in_message_ = false;
  if (dry_run_) {
    db_.rollback();
    return;
  }
  if (grouped_) {
    files_.insert(files_.end(), files.begin(), files.end());
    return;
  }
  db_.commit();
  rename_files(files);
}

void Group::undo_message() {
  if (!in_message_) return;
  in_message_ = false;
  if (!grouped_ || dry_run_ || !open_) {
    db_.rollback();
    return;
  }
  // A statement that fails is undone by the server: what has not written
  // has nothing to undo.
  if (!wrote_) return;
  if (!savepoints_) {
    restart();
    return;
  }
  try {
    db_.rollback_to("fg_message");
  } catch (const Error& e) {
    lose(e.what(), db_code(e));
  }
}

// The group's writes undone, to be made again by the messages handed in
// again, now each with a savepoint.
void Group::restart() {
  discard();
  savepoints_ = true;
  replay_ = true;
}

// The files become visible only once their rows are committed.
void Group::rename_files(const FileRenames& files) {
  for (const auto& [temp, final_name] : files)
    if (::rename(temp.c_str(), final_name.c_str()) != 0)
      log::warning("attachment " + final_name + " stays as " + temp + ": rename failed");
}

void Group::lose(const std::string& reason, unsigned code) {
  discard();
  if (!lost_) lost_reason_ = reason, lost_code_ = code;
  lost_ = true;
}

// The group's transaction rolled back, and all it had gathered for its
// commit dropped: attachment files, counters, records, keys, threads.
void Group::discard() {
  lookups_.keys.clear();
  db_.rollback();
  open_ = false;
  for (const auto& file : files_) ::unlink(file.first.c_str());
  files_.clear();
  forum_counts_.clear();
  user_counts_.clear();
  records_.clear();
  keys_.clear();
  threads_.clear();
}

void Group::begin() {
  grouped_ = true;
  savepoints_ = false;
}

void Group::commit_pending() {
  lookups_.keys.clear();  // the next group's transaction sees more
  if (lost_) throw DbError(Exit::tempfail, "the group of messages was rolled back: " + lost_reason_, lost_code_);
  if (!open_) return;
  try {
    write_records();
  } catch (const Error& e) {
    if (e.status() == Exit::tempfail) {
      lose(e.what(), db_code(e));
      throw DbError(Exit::tempfail, "the group's Message-IDs could not be recorded: " + std::string(e.what()),
                    db_code(e));
    }
    // One message's record is refused (or was recorded by another
    // delivery meanwhile): which one, the messages handed in again, each
    // undoable alone, will tell.
    restart();
    replay_ = false;
    throw ReplayGroup(Exit::tempfail, "the group is rolled back to find the message refused: " + std::string(e.what()));
  }
  try {
    write_counts();
  } catch (const Error& e) {
    // Nothing of the group is committed: it stays queued.
    lose(e.what(), db_code(e));
    throw DbError(e.status(), "the group's counters could not be updated: " + std::string(e.what()), db_code(e));
  }
  open_ = false;
  try {
    db_.commit();
  } catch (const Error& e) {
    // Committed or not, nobody knows: the messages stay queued, and come
    // back as duplicates if it was.
    lose(e.what(), db_code(e));
    throw DbError(Exit::tempfail, "the group of messages could not be committed: " + std::string(e.what()), db_code(e));
  }
  rename_files(files_);
  files_.clear();
  // Savepoints, once a replay turned them on, stay on for the rest of the
  // run: a group committed in the middle of a replay (its size or time
  // reached, a subscription's commit) must not leave the messages still to
  // be replayed, or the one that caused it, without them, or a refusal
  // among them would roll back what was replayed and not be replayed again.
}

void Group::commit() {
  if (!grouped_) return;
  if (lost_ && open_) lose(lost_reason_, lost_code_);  // what came after the loss goes too
  try {
    commit_pending();
  } catch (const ReplayGroup&) {
    throw;
  } catch (const Error&) {
    lost_ = false;  // reported: the next group starts clean
    throw;
  }
}

// A group's counters are one UPDATE per forum and per writer at its commit,
// in its transaction, instead of one per message: only posted messages
// are counted, after their last write.
void Group::count_post(const std::string& forum, const std::string& userid, bool new_thread, std::int64_t t) {
  if (!grouped_ || dry_run_) {
    write("update_forum_counters", {std::int64_t{1}, std::int64_t{new_thread}, t, forum});
    if (!userid.empty()) write("update_user_counters", {std::int64_t{1}, t, userid, forum});
    return;
  }
  Counts& f = forum_counts_[forum];
  ++f.posts;
  f.threads += new_thread;
  f.last = std::max(f.last, t);
  if (userid.empty()) return;
  Counts& u = user_counts_[{userid, forum}];
  ++u.posts;
  u.last = std::max(u.last, t);
}

// A group's Message-ID records: multi-row INSERTs at its commit, in its
// transaction, instead of one statement per message. Rows in batches of a
// power of two (at most 64): each size is a statement kept on the server.
void Group::write_records() {
  // The threads started: thread = cle, up to 64 posts a statement.
  for (auto& [table, ids] : threads_) {
    for (std::size_t i = 0; i < ids.size();) {
      std::size_t n = 64;
      while (n > ids.size() - i) n /= 2;
      std::vector<Value> params(ids.begin() + static_cast<std::ptrdiff_t>(i),
                                ids.begin() + static_cast<std::ptrdiff_t>(i + n));
      db_.execute(profile_.sql("start_thread", table, n), params);
      i += n;
    }
  }
  threads_.clear();
  const std::string sql = profile_.sql("record_message");
  const std::string row = sql.substr(sql.rfind('('));  // "(?, ?, ...)"
  for (std::size_t i = 0; i < records_.size();) {
    std::size_t n = 64;
    while (n > records_.size() - i) n /= 2;
    std::string batch = sql;
    std::vector<Value> params;
    for (std::size_t j = i; j < i + n; ++j) {
      if (j > i) batch += ", " + row;
      params.insert(params.end(), records_[j].begin(), records_[j].end());
    }
    try {
      db_.execute(batch, params);
    } catch (const DbError& e) {
      // Another delivery of one of them committed first: not a reason to wait.
      if (e.code() == ER_DUP_ENTRY) throw Error(Exit::dataerr, e.what());
      throw;
    }
    i += n;
  }
  records_.clear();
  keys_.clear();
  threads_.clear();
}

// REPEATABLE READ reads one snapshot for the whole transaction, and
// SERIALIZABLE locks what it read: either way an answer holds until the
// transaction ends. MySQL 8 and MariaDB 11.1 name the variable
// transaction_isolation, MariaDB before that only tx_isolation.
bool Group::snapshot_reads() {
  if (!snapshot_reads_) {
    std::string level;
    for (const char* variable : {"@@SESSION.transaction_isolation", "@@SESSION.tx_isolation"}) {
      try {
        auto rows = db_.query(std::string("SELECT ") + variable);
        if (!rows.empty() && !rows[0].empty() && rows[0][0]) {
          level = *rows[0][0];
          break;
        }
      } catch (const DbError& e) {
        if (e.temporary()) throw;  // an unknown variable: the other name
      }
    }
    snapshot_reads_ = level == "REPEATABLE-READ" || level == "SERIALIZABLE";
  }
  return *snapshot_reads_;
}

void Group::write_counts() {
  for (const auto& [forum, c] : forum_counts_) write("update_forum_counters", {c.posts, c.threads, c.last, forum});
  for (const auto& [who, c] : user_counts_) write("update_user_counters", {c.posts, c.last, who.first, who.second});
  forum_counts_.clear();
  user_counts_.clear();
}

void Group::commit_if_open() {
  if (open_) commit_pending();
}

void Group::fail_message(const Error& e) {
  if (grouped_ && open_ && e.status() == Exit::tempfail) lose(e.what(), db_code(e));
  else if (in_message_) undo_message();
  else if (!grouped_) db_.rollback();
  in_message_ = false;
}

void Group::replay_message() {
  in_message_ = false;
  replay_ = true;
}

bool Group::take_replay() { return std::exchange(replay_, false); }

void Group::defer_thread(const std::string& table, std::int64_t post) { threads_[table].push_back(post); }

void Group::defer_record(const std::string& forum, const std::string& key, std::vector<Value> record, std::int64_t post,
                         std::int64_t thread) {
  records_.push_back(std::move(record));
  keys_[{forum, key}] = {post, thread};
}

const std::pair<std::int64_t, std::int64_t>* Group::deferred(const std::string& forum, const std::string& key) const {
  auto it = keys_.find({forum, key});
  return it == keys_.end() ? nullptr : &it->second;
}

bool Group::holds_lookups() {
  return grouped_ && open_ && !savepoints_ && !dry_run_ && !profile_.statements().at("record_message").replaced &&
         !profile_.statements().at("find_message").replaced && snapshot_reads();
}

}  // namespace forumgate::forum
