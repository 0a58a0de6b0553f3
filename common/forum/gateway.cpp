#include "forum/gateway.hpp"

#include <fcntl.h>
#include <mysqld_error.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <regex>

#include "cli/log.hpp"
#include "forum/body.hpp"
#include "mime/filename.hpp"
#include "mime/header.hpp"
#include "post/builder.hpp"
#include "process/command.hpp"
#include "util/fd.hpp"

namespace forumgate::forum {

Policy parse_policy(const std::string& name) {
  for (Policy p : {Policy::open, Policy::members, Policy::moderated})
    if (name == to_string(p)) return p;
  throw Error(Exit::config, "unknown sender policy \"" + name + "\" (open, members, moderated)");
}

std::string_view to_string(Policy policy) {
  switch (policy) {
    case Policy::open: return "open";
    case Policy::members: return "members";
    case Policy::moderated: return "moderated";
  }
  return "open";
}

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::posted: return "posted";
    case Outcome::duplicate: return "duplicate";
    case Outcome::ignored: return "ignored";
    case Outcome::requested: return "confirmation sent";
    case Outcome::subscribed: return "subscribed";
    case Outcome::unsubscribed: return "unsubscribed";
    case Outcome::refused: return "refused";
    case Outcome::deferred: return "deferred";
  }
  return "refused";
}

namespace {

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// s without RFC 5322 comments ("(...)", nesting allowed).
std::string without_comments(std::string_view s) {
  std::string out;
  int depth = 0;
  for (char c : s) {
    if (c == '(') ++depth;
    else if (c == ')' && depth > 0) --depth;
    else if (depth == 0) out += c;
  }
  return out;
}

// d is domain or a parent of it (relaxed alignment, RFC 7489 3.1.1).
bool aligned(std::string d, const std::string& domain) {
  d = mime::to_lower(d);
  return domain == d || (domain.size() > d.size() && domain.compare(domain.size() - d.size(), d.size(), d) == 0 &&
                         domain[domain.size() - d.size() - 1] == '.');
}

}  // namespace

bool authenticated(const std::vector<std::string>& results, const std::string& authserv_id,
                   const std::string& from_address) {
  const std::string domain = mime::to_lower(from_address.substr(from_address.rfind('@') + 1));
  for (const auto& raw : results) {
    std::string value = without_comments(raw);
    size_t semi = value.find(';');
    std::string id = trimmed(value.substr(0, semi));
    id = id.substr(0, id.find_first_of(" \t"));  // an optional version follows
    if (semi == std::string::npos || !mime::iequals(id, authserv_id)) continue;
    // Each result: "method=result prop=value ...", separated by ';'.
    for (size_t pos = semi + 1; pos < value.size();) {
      size_t end = value.find(';', pos);
      if (end == std::string::npos) end = value.size();
      std::string method, result, header_d, header_i, header_from;
      std::string words = value.substr(pos, end - pos);
      pos = end + 1;
      for (size_t w = 0; w < words.size();) {
        while (w < words.size() && (words[w] == ' ' || words[w] == '\t' || words[w] == '\n')) ++w;
        size_t e = words.find_first_of(" \t\n", w);
        if (e == std::string::npos) e = words.size();
        std::string word = words.substr(w, e - w);
        w = e;
        size_t eq = word.find('=');
        if (eq == std::string::npos) continue;
        std::string key = mime::to_lower(word.substr(0, eq)), val = word.substr(eq + 1);
        if (method.empty()) {
          method = key;
          result = mime::to_lower(val);
        } else if (key == "header.d") {
          header_d = val;
        } else if (key == "header.i") {
          header_i = val.substr(val.rfind('@') + 1);
        } else if (key == "header.from") {
          header_from = mime::to_lower(val);
        }
      }
      if (result != "pass") continue;
      // DMARC's pass counts for the domain it names, which must be ours.
      if (method == "dmarc" && header_from == domain) return true;
      if (method == "dkim" &&
          ((!header_d.empty() && aligned(header_d, domain)) || (!header_i.empty() && aligned(header_i, domain))))
        return true;
    }
  }
  return false;
}

std::string message_key(const post::Record& r) {
  if (r.message_id && !r.message_id->empty()) return post::sha256_hex(*r.message_id);
  return post::sha256_hex("no Message-ID\n" + r.from.address + "\n" + std::to_string(r.date.value_or(0)) + "\n" +
                          r.subject + "\n" + r.text);
}

namespace {

std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Result refused(Exit status, std::string reason) {
  Result r;
  r.outcome = Outcome::refused;
  r.status = status;
  r.reason = std::move(reason);
  return r;
}

std::int64_t to_int(const std::optional<std::string>& s) { return s ? std::stoll(*s) : 0; }

// A subject for the forum: "Re: " and "Fwd: " prefixes (in a few
// languages) removed, for the subject fallback.
std::string base_subject(std::string s) {
  for (;;) {
    size_t colon = s.find(':');
    if (colon == std::string::npos || colon > 4) return s;
    std::string prefix = mime::to_lower(s.substr(0, colon));
    if (prefix != "re" && prefix != "fwd" && prefix != "fw" && prefix != "aw" && prefix != "sv" && prefix != "tr" &&
        prefix != "wg")
      return s;
    s.erase(0, colon + 1);
    while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  }
}

// Cut HTML text to max bytes without splitting a character or an entity.
std::string truncate_html(const std::string& s, size_t max) {
  std::string out = truncate_utf8(s, max);
  size_t amp = out.rfind('&');
  if (amp != std::string::npos && out.find(';', amp) == std::string::npos) out.resize(amp);
  return out;
}

std::string random_token() {
  unsigned char bytes[16];
  int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::read(fd, bytes, sizeof bytes) != static_cast<ssize_t>(sizeof bytes)) {
    if (fd >= 0) ::close(fd);
    throw Error(Exit::software, "cannot read /dev/urandom");
  }
  ::close(fd);
  static const char hex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char b : bytes) {
    token += hex[b >> 4];
    token += hex[b & 15];
  }
  return token;
}

// The size of UTF-8 text once the server has it in charset: latin1 takes
// a byte per character (fit_charset left only characters it has).
std::uint64_t stored_size(const std::string& utf8, const std::string& charset) {
  if (charset != "latin1") return utf8.size();
  return static_cast<std::uint64_t>(
      std::count_if(utf8.begin(), utf8.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string render_params(const std::vector<Value>& params) {
  std::string out;
  for (const auto& v : params) {
    out += out.empty() ? "" : ", ";
    if (std::holds_alternative<std::nullptr_t>(v)) out += "NULL";
    else if (auto* n = std::get_if<std::int64_t>(&v)) out += std::to_string(*n);
    else {
      std::string s = std::get<std::string>(v);
      if (s.size() > 60) s = truncate_utf8(s, 57) + "...";
      out += "'" + s + "'";
    }
  }
  return out;
}

// A Message-ID for the ascii column that records it (the key is its hash
// anyway): at most 998 bytes (RFC 5322's line limit), 8-bit bytes as '?'.
std::string ascii_id(const std::string& id) {
  std::string out = id.substr(0, 998);
  for (char& c : out)
    if (static_cast<unsigned char>(c) >= 0x80 || static_cast<unsigned char>(c) < 0x20) c = '?';
  return out;
}

// An address we may send mail to with sendmail -t: one local@domain, no
// list, no comment, no header syntax.
bool plain_address(const std::string& a) {
  if (a.empty() || a.size() > 254 || a.find('@') == std::string::npos || a.find('@') != a.rfind('@')) return false;
  for (unsigned char c : a)
    if (c <= ' ' || c == ',' || c == ';' || c == '<' || c == '>' || c == '"' || c == '(' || c == ')' || c == '\\' ||
        c == 127)
      return false;
  return true;
}

// The stored file's extension comes from the type that was allowed, never
// from the sender: "x.php" sent as image/png is stored as "x.png", so
// nothing a web server would run lands in W-Agora's directory. Dots in the
// stem go too ("x.php.png" -> "x_php.png"), for servers that honour every
// extension of a name.
std::string stored_attachment_name(const std::string& name, const std::string& type) {
  static const std::pair<const char*, const char*> extensions[] = {
      {"image/png", ".png"},        {"image/jpeg", ".jpg"},      {"image/gif", ".gif"},
      {"image/webp", ".webp"},      {"text/plain", ".txt"},      {"application/pdf", ".pdf"},
      {"application/zip", ".zip"},  {"application/gzip", ".gz"}, {"application/x-gzip", ".gz"},
      {"application/x-tar", ".tar"}};
  std::string ext = ".bin";
  for (const auto& [t, e] : extensions)
    if (type == t) ext = e;
  std::string stem = name.substr(0, name.rfind('.'));
  if (stem.empty()) stem = "attachment";
  for (char& c : stem)
    if (c == '.') c = '_';
  return stem + ext;
}

// The keys list of find_message, padded to a power of two with the first
// key: each length is a statement prepared (and kept) on the server, and a
// References field may name any number of ids.
std::size_t padded_keys(std::vector<Value>& params, std::size_t keys) {
  std::size_t n = 1;
  while (n < keys) n *= 2;
  for (std::size_t i = keys; i < n; ++i) params.push_back(params[1]);
  return n;
}

}  // namespace

WebMessageId::WebMessageId(const std::string& pattern) {
  if (pattern.empty()) return;
  std::string expression;
  for (size_t i = 0; i < pattern.size();) {
    if (pattern.compare(i, 6, "{post}") == 0) {
      expression += "([0-9]{1,18})";
      i += 6;
    } else if (pattern.compare(i, 7, "{forum}") == 0) {
      expression += "([a-z0-9_.-]+)";
      i += 7;
    } else {
      if (std::string("\\^$.|?*+()[]{}").find(pattern[i]) != std::string::npos) expression += '\\';
      expression += pattern[i++];
    }
  }
  // Which group is which follows their order in the pattern.
  bool post_first = pattern.find("{post}") < pattern.find("{forum}");
  forum_group_ = pattern.find("{forum}") == std::string::npos ? 0 : (post_first ? 2 : 1);
  post_group_ = forum_group_ == 0 ? 1 : (post_first ? 1 : 2);
  regex_.emplace(expression);
}

std::int64_t WebMessageId::post(const std::string& forum, const std::string& id) const {
  // libstdc++'s regex recurses per character: a 50 KB id overflows the
  // stack. No real Message-ID is longer than a header line may be.
  if (!regex_ || id.size() > 998) return 0;
  std::smatch m;
  std::string lower = mime::to_lower(id);
  if (!std::regex_match(lower, m, *regex_)) return 0;
  if (forum_group_ && m[forum_group_].str() != forum) return 0;
  return std::stoll(m[post_group_].str());
}

Gateway::Gateway(Connection& db, Profile profile, GatewayOptions options)
    : db_(db), profile_(std::move(profile)), o_(std::move(options)), web_id_(o_.web_message_id) {}

std::vector<Row> Gateway::read(const std::string& name, const std::vector<Value>& params, const std::string& table,
                               std::size_t keys) {
  return db_.query(profile_.sql(name, table, keys), params);
}

std::uint64_t Gateway::write(const std::string& name, const std::vector<Value>& params, const std::string& table) {
  if (o_.dry_run) {
    if (o_.print) o_.print(name + ": " + profile_.sql(name, table) + "\n  with " + render_params(params) + "\n");
    return 0;
  }
  wrote_ = true;
  db_.execute(profile_.sql(name, table), params);
  return db_.last_insert_id();
}

void Gateway::begin_message() {
  in_message_ = true;
  wrote_ = false;
  if (!grouped_ || o_.dry_run) {
    db_.begin();
    return;
  }
  if (!group_open_) {
    db_.begin();
    group_open_ = true;
  }
  if (savepoints_) db_.savepoint("fg_message");
}

void Gateway::end_message(std::vector<std::pair<std::string, std::string>> files) {
  in_message_ = false;
  if (o_.dry_run) {
    db_.rollback();
    return;
  }
  if (grouped_) {
    group_files_.insert(group_files_.end(), files.begin(), files.end());
    return;
  }
  db_.commit();
  rename_files(files);
}

void Gateway::undo_message() {
  if (!in_message_) return;
  in_message_ = false;
  if (!grouped_ || o_.dry_run || !group_open_) {
    db_.rollback();
    return;
  }
  // A statement that fails is undone by the server: what has not written
  // has nothing to undo.
  if (!wrote_) return;
  if (!savepoints_) {
    restart_group();
    return;
  }
  try {
    db_.rollback_to("fg_message");
  } catch (const Error& e) {
    lose_group(e.what());
  }
}

// The group's writes undone, to be made again by the messages handed in
// again, now each with a savepoint.
void Gateway::restart_group() {
  discard_group();
  savepoints_ = true;
  replay_ = true;
}

// The files become visible only once their rows are committed.
void Gateway::rename_files(const std::vector<std::pair<std::string, std::string>>& files) {
  for (const auto& [temp, final_name] : files)
    if (::rename(temp.c_str(), final_name.c_str()) != 0)
      log::warning("attachment " + final_name + " stays as " + temp + ": rename failed");
}

void Gateway::lose_group(const std::string& reason) {
  discard_group();
  if (!group_lost_) lost_reason_ = reason;
  group_lost_ = true;
}

// The group's transaction rolled back, and all it had gathered for its
// commit dropped: attachment files, counters, records, keys, threads.
void Gateway::discard_group() {
  looked_up_.clear();
  db_.rollback();
  group_open_ = false;
  for (const auto& file : group_files_) ::unlink(file.first.c_str());
  group_files_.clear();
  forum_counts_.clear();
  user_counts_.clear();
  group_records_.clear();
  group_keys_.clear();
  group_threads_.clear();
}

void Gateway::begin_group() {
  grouped_ = true;
  savepoints_ = false;
}

void Gateway::commit_open_group() {
  looked_up_.clear();  // the next group's transaction sees more
  if (group_lost_) throw Error(Exit::tempfail, "the group of messages was rolled back: " + lost_reason_);
  if (!group_open_) return;
  try {
    write_records();
  } catch (const Error& e) {
    if (e.status() == Exit::tempfail) {
      lose_group(e.what());
      throw Error(Exit::tempfail, "the group's Message-IDs could not be recorded: " + std::string(e.what()));
    }
    // One message's record is refused (or was recorded by another
    // delivery meanwhile): which one, the messages handed in again, each
    // undoable alone, will tell.
    restart_group();
    replay_ = false;
    throw ReplayGroup(Exit::tempfail, "the group is rolled back to find the message refused: " + std::string(e.what()));
  }
  try {
    write_counts();
  } catch (const Error& e) {
    // Nothing of the group is committed: it stays queued.
    lose_group(e.what());
    throw Error(e.status(), "the group's counters could not be updated: " + std::string(e.what()));
  }
  group_open_ = false;
  try {
    db_.commit();
  } catch (const Error& e) {
    // Committed or not, nobody knows: the messages stay queued, and come
    // back as duplicates if it was.
    lose_group(e.what());
    throw Error(Exit::tempfail, "the group of messages could not be committed: " + std::string(e.what()));
  }
  rename_files(group_files_);
  group_files_.clear();
  // Savepoints, once a replay turned them on, stay on for the rest of the
  // run: a group committed in the middle of a replay (its size or time
  // reached, a subscription's commit) must not leave the messages still to
  // be replayed, or the one that caused it, without them, or a refusal
  // among them would roll back what was replayed and not be replayed again.
}

void Gateway::commit_group() {
  if (!grouped_) return;
  if (group_lost_ && group_open_) lose_group(lost_reason_);  // what came after the loss goes too
  try {
    commit_open_group();
  } catch (const ReplayGroup&) {
    throw;
  } catch (const Error&) {
    group_lost_ = false;  // reported: the next group starts clean
    throw;
  }
}

Result Gateway::handle(const post::Record& record) {
  replay_ = false;
  // The caller's, for this message only, whatever way it ends.
  struct Forget {
    std::vector<const post::Record*>& upcoming;
    ~Forget() { upcoming.clear(); }
  } forget{upcoming_};
  Result r = handle_undoable(record);
  if (replay_) {
    replay_ = false;
    r.outcome = Outcome::deferred;
    r.status = Exit::tempfail;
    if (r.reason.rfind("the group is rolled back", 0) != 0)
      r.reason = "the group is rolled back to undo this message: " + r.reason;
    r.replay = true;
  }
  return r;
}

Result Gateway::handle_undoable(const post::Record& record) {
  try {
    Result r = handle_or_throw(record);
    // For the forum's administrator: what was refused or ignored, and why.
    // Written like the message's own writes, so that an error here is
    // handled as theirs would be.
    // Best effort: the message's own outcome stands whatever happens here,
    // unless the group's transaction itself was lost.
    if ((r.outcome == Outcome::refused && !replay_) || r.outcome == Outcome::ignored) {
      try {
        write("record_rejection",
              {now(), fit_charset(r.forum, "latin1"), truncate_html(fit_charset(record.from.address, "latin1"), 255),
               ascii_id(record.message_id.value_or("")),
               truncate_html(fit_charset(std::string(to_string(r.outcome)) + ": " + r.reason, "latin1"), 255)});
      } catch (const Error& e) {
        if (e.status() == Exit::tempfail && grouped_) throw;
        log::warning("the rejection could not be recorded: " + std::string(e.what()));
      }
    }
    return r;
  } catch (const ReplayGroup& e) {
    // A subscription request commits the group before its mail goes: the
    // group was rolled back there, and is to be handed in again, then this.
    in_message_ = false;
    replay_ = true;
    Result r;
    r.reason = e.what();
    return r;
  } catch (const Error& e) {
    // The server gone, a deadlock: the group's transaction is no more.
    // Another error undoes only this message's writes.
    if (grouped_ && group_open_ && e.status() == Exit::tempfail) lose_group(e.what());
    else if (in_message_) undo_message();
    else if (!grouped_) db_.rollback();
    in_message_ = false;
    Result r = refused(e.status(), e.what());
    // A configuration problem (a forum's table lacking a column, a grant
    // missing) is the administrator's to fix, not the message's fault: it
    // waits in the queue rather than going to .failed/.
    if (e.status() == Exit::tempfail || e.status() == Exit::config) r.outcome = Outcome::deferred;
    return r;
  }
}

std::optional<Route> Gateway::route(const post::Record& record, std::string& routed) const {
  std::vector<std::string> candidates;
  if (o_.recipient) candidates.push_back(*o_.recipient);
  if (record.recipient) candidates.push_back(*record.recipient);
  candidates.insert(candidates.end(), record.delivered_to.begin(), record.delivered_to.end());
  for (const auto& m : record.to) candidates.push_back(m.address);
  for (const auto& m : record.cc) candidates.push_back(m.address);
  for (const auto& address : candidates)
    if (auto r = o_.pattern.match(address)) {
      routed = address;
      return r;
    }
  return std::nullopt;
}

std::vector<std::string> Gateway::wanted_columns(const std::string& placeholder) const {
  std::vector<std::string> wanted;
  for (const auto& [name, statement] : profile_.statements())
    for (const auto& [t, columns] : statement.uses)
      if (t == placeholder) wanted.insert(wanted.end(), columns.begin(), columns.end());
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  return wanted;
}

// One query for all the tables: information_schema is slow to ask, and
// a process per message (an MTA's pipe) pays for each question.
std::vector<std::string> Gateway::missing_columns(const std::vector<std::pair<std::string, std::string>>& tables,
                                                  std::vector<Row>* columns) {
  std::string sql =
      "SELECT TABLE_NAME, COLUMN_NAME, CHARACTER_SET_NAME, CHARACTER_OCTET_LENGTH FROM information_schema.COLUMNS "
      "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (";
  std::vector<Value> params;
  for (const auto& [placeholder, table] : tables) {
    sql += params.empty() ? "?" : ", ?";
    params.emplace_back(table);
  }
  auto rows = db_.query(sql + ")", params);
  std::vector<std::string> missing;
  for (const auto& [placeholder, table] : tables) {
    bool table_found = false;
    for (const auto& row : rows) table_found = table_found || (row[0] && *row[0] == table);
    if (!table_found) {
      missing.push_back("table " + table);
      continue;
    }
    for (const auto& column : wanted_columns(placeholder)) {
      bool found = false;
      for (const auto& row : rows)
        found = found || (row[0] && *row[0] == table && row[1] && mime::iequals(*row[1], column));
      if (!found) missing.push_back("column " + table + "." + column);
    }
  }
  if (columns) *columns = std::move(rows);
  return missing;
}

void Gateway::check_schema() {
  std::vector<std::pair<std::string, std::string>> tables;
  for (const auto& [name, statement] : profile_.statements())
    for (const auto& [t, columns] : statement.uses)
      if (t.find("{messages}") == std::string::npos) tables.emplace_back(t, profile_.table(t));
  std::sort(tables.begin(), tables.end());
  tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
  // Every table and column named in a statement that reads nothing (the
  // server resolves names before it sees that WHERE FALSE is never true):
  // a fraction of what information_schema costs, and the server's
  // max_allowed_packet with it. Built-in names only (replaced statements
  // use none), each table checked to be an identifier.
  std::string sql;
  for (const auto& [placeholder, table] : tables) {
    std::string list;
    for (const auto& column : wanted_columns(placeholder)) list += (list.empty() ? "`" : ", `") + column + "`";
    if (list.empty()) continue;
    check_identifier(table, "table");
    sql += "SELECT COALESCE(" + list + ") FROM `" + table + "` WHERE FALSE UNION ALL ";
  }
  sql += "SELECT @@max_allowed_packet";
  try {
    auto rows = db_.query(sql);
    if (!rows.empty() && rows[0][0]) db_.know_max_packet(std::stoull(*rows[0][0]));
    return;
  } catch (const DbError& e) {
    if (e.status() != Exit::config) throw;
    // What is missing, all of it: information_schema knows.
    auto missing = missing_columns(tables);
    if (missing.empty()) throw;
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    throw Error(Exit::config, "the database lacks what forumpost needs: " + list);
  }
}

std::optional<Gateway::Forum> Gateway::find_forum(const std::string& name) {
  if (auto it = forums_.find(name); it != forums_.end()) return it->second;
  auto rows = read("find_forum", {name});
  if (rows.empty() || !rows[0][1]) return std::nullopt;
  Forum f{name, *rows[0][1], "utf8mb4"};
  check_identifier(f.table, "forum " + name + "'s message table (bn_db)");
  std::vector<Row> columns;
  if (auto missing = missing_columns({{"{messages}", f.table}}, &columns); !missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    throw Error(Exit::config, "forum " + name + ": the database lacks " + list);
  }
  // The body column's character set and size came with the check, unless
  // the user says how to find them.
  std::optional<Row> body;
  for (const auto& row : columns)
    if (row[1] && mime::iequals(*row[1], "body")) body = Row{row[2], row[3]};
  if (profile_.statements().at("body_charset").replaced) {
    auto found = read("body_charset", {f.table});
    body.reset();
    if (!found.empty()) body = found[0];
  }
  if (body && !body->empty() && (*body)[0]) f.charset = *(*body)[0];
  if (body && body->size() > 1 && (*body)[1]) f.body_max = std::stoull(*(*body)[1]);
  forums_.emplace(name, f);
  return f;
}

Result Gateway::handle_or_throw(const post::Record& record) {
  if (record.auto_kind != "none") {
    Result r;
    r.outcome = Outcome::ignored;
    r.reason = record.auto_kind;
    return r;
  }
  std::string routed;
  std::optional<Route> route;
  if (o_.forum) route = Route{mime::to_lower(*o_.forum), Action::post, ""};
  else route = this->route(record, routed);
  if (!route) return refused(Exit::nouser, "no recipient is a forum address (" + o_.pattern.pattern() + ")");
  if (o_.action) route->action = *o_.action;
  auto forum = find_forum(route->forum);
  if (!forum) {
    Result r = refused(Exit::nouser, "no forum is named \"" + route->forum + "\"");
    r.forum = route->forum;
    return r;
  }
  Result r;
  switch (route->action) {
    case Action::post: r = post(record, *forum); break;
    case Action::subscribe:
    case Action::unsubscribe: r = request(record, *forum, route->action, routed); break;
    case Action::confirm: r = confirm(record, *forum, route->token); break;
  }
  r.forum = forum->name;
  r.action = std::string(to_string(route->action));
  return r;
}

// Both asked once per run: a queue brings the same senders again and again.
std::optional<Gateway::Member> Gateway::find_member(const std::string& address) {
  if (address.empty()) return std::nullopt;
  if (auto it = members_.find(address); it != members_.end()) return it->second;
  auto rows = read("find_user", {address});
  std::optional<Member> member;
  if (!rows.empty() && rows[0][0]) member = Member{*rows[0][0]};
  members_.emplace(address, member);
  return member;
}

bool Gateway::may_write(const Member& member, const Forum& forum) {
  auto key = std::make_pair(member.userid, forum.name);
  if (auto it = writers_.find(key); it != writers_.end()) return it->second;
  auto rows = read("check_write", {member.userid, forum.name});
  bool may = !rows.empty() && to_int(rows[0][0]) > 0;
  writers_.emplace(key, may);
  return may;
}

// A group's counters are one UPDATE per forum and per writer at its commit,
// in its transaction, instead of one per message: only posted messages
// are counted, after their last write.
void Gateway::count_post(const std::string& forum, const std::string& userid, bool new_thread, std::int64_t t) {
  if (!grouped_ || o_.dry_run) {
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
void Gateway::write_records() {
  // The threads started: thread = cle, up to 64 posts a statement.
  for (auto& [table, ids] : group_threads_) {
    for (std::size_t i = 0; i < ids.size();) {
      std::size_t n = 64;
      while (n > ids.size() - i) n /= 2;
      std::vector<Value> params(ids.begin() + static_cast<std::ptrdiff_t>(i),
                                ids.begin() + static_cast<std::ptrdiff_t>(i + n));
      db_.execute(profile_.sql("start_thread", table, n), params);
      i += n;
    }
  }
  group_threads_.clear();
  const std::string sql = profile_.sql("record_message");
  const std::string row = sql.substr(sql.rfind('('));  // "(?, ?, ...)"
  for (std::size_t i = 0; i < group_records_.size();) {
    std::size_t n = 64;
    while (n > group_records_.size() - i) n /= 2;
    std::string batch = sql;
    std::vector<Value> params;
    for (std::size_t j = i; j < i + n; ++j) {
      if (j > i) batch += ", " + row;
      params.insert(params.end(), group_records_[j].begin(), group_records_[j].end());
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
  group_records_.clear();
  group_keys_.clear();
  group_threads_.clear();
}

// The keys of the messages expected next, for forum, added to params
// while they fit in 64 (a message's own may be more).
void Gateway::add_upcoming_keys(const Forum& forum, std::vector<Value>& params) const {
  for (const post::Record* next : upcoming_) {
    if (!next || next->auto_kind != "none") continue;
    std::string routed;
    std::optional<Route> r = o_.forum ? Route{mime::to_lower(*o_.forum), Action::post, ""} : route(*next, routed);
    if (!r || r->forum != forum.name) continue;
    std::vector<std::string> keys{message_key(*next)};
    if (next->in_reply_to) keys.push_back(post::sha256_hex(*next->in_reply_to));
    for (const auto& id : next->references) keys.push_back(post::sha256_hex(id));
    if (params.size() - 1 + keys.size() > 64) return;
    for (auto& k : keys)
      if (std::find(params.begin() + 1, params.end(), Value(k)) == params.end()) params.emplace_back(std::move(k));
  }
}

// find_message for params (the forum, then keys): each key's post and
// thread, when the forum has it. In an open group the keys of the
// messages expected next go with them (up to 64 keys a query), and the
// answers are kept until the group ends: under REPEATABLE READ every read
// of the transaction sees the snapshot of its first, so a later query
// would see what this one sees. The group's own records are written only
// at its commit (group_keys_ has them), so none is missed; not so with a
// savepoint per message, where each writes its record at once: there,
// and outside a group, each message asks alone. So does each under READ
// COMMITTED (or READ UNCOMMITTED): a parent that a concurrent delivery
// commits meanwhile must be found, as it was without the read-ahead.
std::map<std::string, std::pair<std::int64_t, std::int64_t>> Gateway::find_messages(const Forum& forum,
                                                                                    const std::vector<Value>& params) {
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> known;  // key: post, thread
  const bool keep = grouped_ && group_open_ && !savepoints_ && !o_.dry_run &&
                    !profile_.statements().at("record_message").replaced &&
                    !profile_.statements().at("find_message").replaced && snapshot_reads();
  if (!keep) {
    looked_up_.clear();
  } else if (looked_up_forum_ == forum.name && std::all_of(params.begin() + 1, params.end(), [&](const Value& k) {
               return looked_up_.count(std::get<std::string>(k));
             })) {
    for (auto k = params.begin() + 1; k != params.end(); ++k)
      if (const auto& found = looked_up_.at(std::get<std::string>(*k))) known[std::get<std::string>(*k)] = *found;
    return known;
  }
  std::vector<Value> asked = params;
  if (keep) {
    add_upcoming_keys(forum, asked);
    if (looked_up_forum_ != forum.name) looked_up_.clear();
    looked_up_forum_ = forum.name;
  }
  const std::size_t n = asked.size() - 1;
  std::vector<Value> padded = asked;
  for (const auto& row : read("find_message", padded, "", padded_keys(padded, n)))
    if (row.size() >= 3 && row[0]) known[*row[0]] = {to_int(row[1]), to_int(row[2])};
  if (keep)
    for (auto k = asked.begin() + 1; k != asked.end(); ++k) {
      const std::string& key = std::get<std::string>(*k);
      auto it = known.find(key);
      looked_up_[key] = it == known.end() ? std::nullopt : std::optional(it->second);
    }
  return known;
}

// REPEATABLE READ reads one snapshot for the whole transaction, and
// SERIALIZABLE locks what it read: either way an answer holds until the
// transaction ends. MySQL 8 and MariaDB 11.1 name the variable
// transaction_isolation, MariaDB before that only tx_isolation.
bool Gateway::snapshot_reads() {
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

void Gateway::write_counts() {
  for (const auto& [forum, c] : forum_counts_) write("update_forum_counters", {c.posts, c.threads, c.last, forum});
  for (const auto& [who, c] : user_counts_) write("update_user_counters", {c.posts, c.last, who.first, who.second});
  forum_counts_.clear();
  user_counts_.clear();
}

Result Gateway::post(const post::Record& record, const Forum& forum) {
  const std::string& sender = record.from.address;
  if (sender.empty()) return refused(Exit::dataerr, "the message has no sender (From)");
  Policy policy = o_.default_policy;
  if (auto it = o_.policies.find(forum.name); it != o_.policies.end()) policy = it->second;
  if (!o_.require_auth.empty() && !authenticated(record.authentication_results, o_.require_auth, sender))
    return refused(Exit::noperm, "no DMARC or DKIM pass for " + sender + " from " + o_.require_auth);
  std::optional<Member> member = find_member(sender);
  if (policy == Policy::members) {
    if (!member) return refused(Exit::noperm, sender + " is not a member of " + forum.name);
    if (!may_write(*member, forum)) return refused(Exit::noperm, member->userid + " may not write to " + forum.name);
  }

  // The message's own key (a duplicate?) and its possible parents': what
  // In-Reply-To names, else the newest of References that this forum has
  // (RFC 5322 3.6.4: the last is the parent's own id); one query for all.
  const std::string key = message_key(record);
  std::vector<std::string> ids;
  if (record.in_reply_to) ids.push_back(*record.in_reply_to);
  ids.insert(ids.end(), record.references.rbegin(), record.references.rend());
  std::vector<std::string> id_keys;
  std::vector<Value> params{forum.name, key};
  for (const auto& id : ids) {
    id_keys.push_back(post::sha256_hex(id));
    if (std::find(params.begin() + 1, params.end(), Value(id_keys.back())) == params.end())
      params.emplace_back(id_keys.back());
  }
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> known = find_messages(forum, params);
  // And the records the open group has yet to write.
  for (const auto& k : params)
    if (auto it = group_keys_.find({forum.name, std::get<std::string>(k)}); it != group_keys_.end())
      known.emplace(it->first.second, it->second);
  if (auto it = known.find(key); it != known.end()) {
    Result r;
    r.outcome = Outcome::duplicate;
    r.post = static_cast<std::uint64_t>(it->second.first);
    r.thread = static_cast<std::uint64_t>(it->second.second);
    return r;
  }
  std::int64_t parent = 0, thread = 0;
  for (size_t i = 0; i < ids.size() && parent == 0; ++i) {
    if (auto it = known.find(id_keys[i]); it != known.end()) {
      std::tie(parent, thread) = it->second;
    } else if (std::int64_t web = web_id_.post(forum.name, ids[i])) {
      if (auto rows = read("find_post", {web}, forum.table); !rows.empty()) {
        parent = to_int(rows[0][0]);
        thread = to_int(rows[0][1]);
      }
      // A thread started in the open group is marked as such at its commit.
      if (thread == 0) thread = parent;
    }
  }
  if (parent == 0 && o_.subject_fallback && base_subject(record.subject) != record.subject) {
    std::string subject = fit_charset(escape_html(base_subject(record.subject)), forum.charset);
    auto rows = read("find_thread_by_subject", {subject}, forum.table);
    if (!rows.empty()) {
      parent = to_int(rows[0][0]);
      thread = to_int(rows[0][1]);
      if (thread == 0) thread = parent;
    }
  }

  // A guest's name is marked as such: it must never pass for a user's
  // login (a forged "admin"), and it is stored escaped like everything
  // W-Agora prints.
  std::string author = member ? member->userid : record.from.name;
  if (author.empty()) author = sender.substr(0, sender.find('@'));
  if (!member) author = truncate_utf8(author, 48) + " (guest)";
  author = truncate_html(fit_charset(escape_html(author), forum.charset), 64);
  std::string subject = record.subject.empty() ? "(no subject)" : record.subject;
  std::string text = record.text;
  const std::int64_t t = now();
  const bool hidden = policy == Policy::moderated;

  // A body the column cannot hold is refused, whole: a legacy server in
  // non-strict mode would cut it anywhere, in the middle of a tag.
  std::string body = fit_charset(text_to_html(text), forum.charset);
  if (forum.body_max && stored_size(body, forum.charset) > forum.body_max)
    return refused(Exit::dataerr, "the message is too large for " + forum.name + ": " +
                                      std::to_string(stored_size(body, forum.charset)) + " bytes of HTML, its " +
                                      forum.table + ".body takes " + std::to_string(forum.body_max));

  begin_message();
  std::uint64_t id = write("insert_post",
                           {parent, thread, truncate_html(fit_charset(escape_html(subject), forum.charset), 255), body,
                            truncate_html(fit_charset(escape_html(truncate_utf8(text, 200)), forum.charset), 255),
                            author, t, std::string(), std::int64_t{hidden}},
                           forum.table);
  // Grouped, a thread's start and the record are written with the
  // group's (see write_records), unless each message must be undoable
  // alone (a replay) or the user replaced the statement.
  const bool defer = grouped_ && !o_.dry_run && !savepoints_;
  const bool defer_thread = defer && !profile_.statements().at("start_thread").replaced;
  const bool defer_record = defer && !profile_.statements().at("record_message").replaced;
  const bool new_thread = thread == 0;
  if (new_thread) {
    if (!defer_thread) write("start_thread", {static_cast<std::int64_t>(id)}, forum.table);
    thread = static_cast<std::int64_t>(id);
  }
  std::vector<Value> message_record{
      forum.name, key, ascii_id(record.message_id.value_or("")), static_cast<std::int64_t>(id), thread, t};
  if (!defer_record) {
    try {
      write("record_message", message_record);
    } catch (const DbError& e) {
      if (e.code() != ER_DUP_ENTRY) throw;
      // Another delivery of this message committed first.
      undo_message();
      Result r;
      r.outcome = Outcome::duplicate;
      return r;
    }
  }
  std::vector<std::pair<std::string, std::string>> files;  // temp name, final name
  store_attachments(record, id, t, files);
  if (new_thread && defer_thread) group_threads_[forum.table].push_back(static_cast<std::int64_t>(id));
  if (defer_record) {
    group_records_.push_back(std::move(message_record));
    group_keys_[{forum.name, key}] = {static_cast<std::int64_t>(id), thread};
  }
  count_post(forum.name, member ? member->userid : std::string(), parent == 0, t);
  end_message(std::move(files));
  Result r;
  r.outcome = Outcome::posted;
  r.post = id;
  r.thread = static_cast<std::uint64_t>(thread);
  return r;
}

void Gateway::store_attachments(const post::Record& record, std::uint64_t post_id, std::int64_t t,
                                std::vector<std::pair<std::string, std::string>>& files) {
  if (o_.attachment_base.empty() || !o_.attachment_data) return;
  // Records may come from anywhere (--records): names are sanitized again
  // here, whatever mimeparse did, and the bytes must be what the record says.
  mime::FileNames clean, unique;
  for (const auto& a : record.attachments) {
    if (a.size > o_.max_attachment) {
      log::notice("attachment " + a.filename + " not stored: " + std::to_string(a.size) + " bytes is over the limit");
      continue;
    }
    if (std::find(o_.attachment_types.begin(), o_.attachment_types.end(), mime::to_lower(a.content_type)) ==
        o_.attachment_types.end()) {
      log::notice("attachment " + a.filename + " not stored: type " + a.content_type + " is not allowed");
      continue;
    }
    auto data = o_.attachment_data(a);
    if (!data) continue;
    if (post::sha256_hex(*data) != a.sha256) {
      log::warning("attachment " + a.filename + " not stored: its content is not what the record says");
      continue;
    }
    const std::string name =
        unique.add(stored_attachment_name(clean.add(a.filename, a.content_type), mime::to_lower(a.content_type)), "");
    std::uint64_t att_id =
        write("record_attachment", {name, o_.attachment_path, t, static_cast<std::int64_t>(post_id)});
    if (o_.dry_run) continue;
    std::string dir = o_.attachment_base + "/" + o_.attachment_path;
    std::string final_name = dir + "/" + std::to_string(att_id) + "." + name;
    std::string temp = dir + "/.tmp." + std::to_string(att_id) + "." + std::to_string(::getpid());
    // A full or failing disk passes: the message waits (75) rather than
    // bounce, and what this message wrote so far goes.
    auto fail = [&](const std::string& what, int err) {
      for (const auto& [written, final_path] : files) ::unlink(written.c_str());
      bool passing = err == ENOSPC || err == EDQUOT || err == EIO;
      throw system_error(passing ? Exit::tempfail : Exit::cantcreat, what, err);
    };
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) fail("cannot create " + temp, errno);
    bool ok = util::write_fully(fd, *data) && ::fsync(fd) == 0;
    int err = errno;
    ::close(fd);
    if (!ok) {
      ::unlink(temp.c_str());
      fail("cannot write " + temp, err);
    }
    files.emplace_back(temp, final_name);
  }
}

Result Gateway::request(const post::Record& record, const Forum& forum, Action action, const std::string& routed) {
  const std::string& address = record.from.address;
  if (address.empty() || !record.envelope_sender.value_or("x").size())
    return refused(Exit::dataerr, "no address to confirm with (no From, or a null sender)");
  if (!plain_address(address)) return refused(Exit::dataerr, "cannot send a confirmation to \"" + address + "\"");
  const std::string token = random_token();
  const std::int64_t t = now();
  begin_message();
  write("add_confirmation", {token, forum.name, address, std::string(to_string(action)),
                             t + static_cast<std::int64_t>(o_.confirm_hours) * 3600});
  end_message({});
  // A token must be in the database before its mail goes out.
  if (group_open_) commit_open_group();
  // The confirmation address: the address the request came to, its local
  // part's action replaced by confirm-TOKEN.
  std::string domain = routed.find('@') == std::string::npos ? std::string() : routed.substr(routed.find('@'));
  std::string confirm_address = forum.name + "-confirm-" + token + domain;
  std::string mail = "From: " + forum.name + domain + "\n" + "To: " + address + "\n" + "Reply-To: " + confirm_address +
                     "\n" + "Subject: Confirm: " + std::string(to_string(action)) + " " + forum.name + " [" + token +
                     "]\n" + "Auto-Submitted: auto-replied\n";
  if (!o_.loop_value.empty()) mail += "X-Loop: " + o_.loop_value + "\n";
  if (record.message_id) mail += "In-Reply-To: " + *record.message_id + "\n";
  mail += "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n";
  mail += "Someone, probably you, asked to " + std::string(to_string(action)) + " " + address + " " +
          (action == Action::subscribe ? "to" : "from") + " the forum " + forum.name + ".\n\n" +
          "To confirm, reply to this message, or send any message to\n  " + confirm_address + "\n\n" +
          "If you did not ask for this, do nothing: the request expires in " + std::to_string(o_.confirm_hours) +
          " hours.\n";
  if (o_.dry_run) {
    if (o_.print) o_.print("sendmail: " + o_.sendmail + "\n" + mail);
  } else {
    int status = process::run_with_input(process::command_argv(o_.sendmail), {mail}, {});
    if (status != 0)
      throw Error(Exit::tempfail,
                  "the confirmation mail could not be sent: " + o_.sendmail + " exited with " + std::to_string(status));
  }
  Result r;
  r.outcome = Outcome::requested;
  return r;
}

Result Gateway::confirm(const post::Record& record, const Forum& forum, const std::string& token) {
  (void)record;
  const std::int64_t t = now();
  begin_message();
  auto rows = read("take_confirmation", {token});
  if (rows.empty() || !rows[0][0] || *rows[0][0] != forum.name || to_int(rows[0][3]) < t) {
    undo_message();
    return refused(Exit::nouser, "no such confirmation, or it has expired");
  }
  const std::string address = rows[0][1].value_or("");
  const bool subscribe = rows[0][2].value_or("") == "subscribe";
  write(subscribe ? "subscribe" : "unsubscribe",
        subscribe ? std::vector<Value>{forum.name, address, t} : std::vector<Value>{forum.name, address});
  write("drop_confirmation", {token, t});
  end_message({});
  Result r;
  r.outcome = subscribe ? Outcome::subscribed : Outcome::unsubscribed;
  r.reason = address;
  return r;
}

}  // namespace forumgate::forum
