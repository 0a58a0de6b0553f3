// Posting: a message's sender policy, its parent and thread, and its
// writes (the post, its thread, its Message-ID record, its attachments).

#include "forum/gateway.hpp"

#include <mysqld_error.h>

#include <algorithm>
#include <regex>

#include "cli/log.hpp"
#include "forum/attachments.hpp"
#include "forum/auth.hpp"
#include "forum/body.hpp"
#include "mime/header.hpp"
#include "post/sha256.hpp"

namespace forumgate::forum {

namespace {

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

// The size of UTF-8 text once the server has it in charset: latin1 takes
// a byte per character (fit_charset left only characters it has).
std::uint64_t stored_size(const std::string& utf8, const std::string& charset) {
  if (charset != "latin1") return utf8.size();
  return static_cast<std::uint64_t>(
      std::count_if(utf8.begin(), utf8.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
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

std::string message_key(const post::Record& r) {
  if (r.message_id && !r.message_id->empty()) return post::sha256_hex(*r.message_id);
  return post::sha256_hex("no Message-ID\n" + r.from.address + "\n" + std::to_string(r.date.value_or(0)) + "\n" +
                          r.subject + "\n" + r.text);
}

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

// Both asked once per run: a queue brings the same senders again and again.
std::optional<Gateway::Member> Gateway::find_member(const std::string& address) {
  if (address.empty()) return std::nullopt;
  if (auto it = members_.find(address); it != members_.end()) return it->second;
  auto rows = group_.read("find_user", {address});
  std::optional<Member> member;
  if (!rows.empty() && rows[0][0]) member = Member{*rows[0][0]};
  members_.emplace(address, member);
  return member;
}

bool Gateway::may_write(const Member& member, const Forum& forum) {
  auto key = std::make_pair(member.userid, forum.name);
  if (auto it = writers_.find(key); it != writers_.end()) return it->second;
  auto rows = group_.read("check_write", {member.userid, forum.name});
  bool may = !rows.empty() && to_int(rows[0][0]) > 0;
  writers_.emplace(key, may);
  return may;
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
// at its commit (Group::deferred() has them), so none is missed; not so with a
// savepoint per message, where each writes its record at once: there,
// and outside a group, each message asks alone. So does each under READ
// COMMITTED (or READ UNCOMMITTED): a parent that a concurrent delivery
// commits meanwhile must be found, as it was without the read-ahead.
std::map<std::string, std::pair<std::int64_t, std::int64_t>> Gateway::find_messages(const Forum& forum,
                                                                                    const std::vector<Value>& params) {
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> known;  // key: post, thread
  const bool keep = group_.holds_lookups();
  Group::Lookups& kept = group_.lookups();
  if (!keep) {
    kept.keys.clear();
  } else if (kept.forum == forum.name && std::all_of(params.begin() + 1, params.end(), [&](const Value& k) {
               return kept.keys.count(std::get<std::string>(k));
             })) {
    for (auto k = params.begin() + 1; k != params.end(); ++k)
      if (const auto& found = kept.keys.at(std::get<std::string>(*k))) known[std::get<std::string>(*k)] = *found;
    return known;
  }
  std::vector<Value> asked = params;
  if (keep) {
    add_upcoming_keys(forum, asked);
    if (kept.forum != forum.name) kept.keys.clear();
    kept.forum = forum.name;
  }
  const std::size_t n = asked.size() - 1;
  std::vector<Value> padded = asked;
  for (const auto& row : group_.read("find_message", padded, "", padded_keys(padded, n)))
    if (row.size() >= 3 && row[0]) known[*row[0]] = {to_int(row[1]), to_int(row[2])};
  if (keep)
    for (auto k = asked.begin() + 1; k != asked.end(); ++k) {
      const std::string& key = std::get<std::string>(*k);
      auto it = known.find(key);
      kept.keys[key] = it == known.end() ? std::nullopt : std::optional(it->second);
    }
  return known;
}

std::int64_t Gateway::keyed_parent(const post::Record& record, const Route& route, std::string& why) const {
  if (route.reply_key.empty()) return 0;
  if (!o_.reply_keys) {
    why = "a reply key, and no --reply-key-file to verify it: threaded by its header";
    return 0;
  }
  // The key binds the subscriber it was sent to: the reply's From, or its
  // envelope sender.
  for (const std::string& sender : {record.from.address, record.envelope_sender.value_or("")})
    if (!sender.empty())
      if (auto post = o_.reply_keys->verify(route.forum, route.reply_key, sender)) return *post;
  why = "the reply key does not verify for its sender: threaded by its header";
  return 0;
}

Result Gateway::post(const post::Record& record, const Forum& forum, std::int64_t reply_to) {
  const std::string& sender = record.from.address;
  if (sender.empty()) return refused(Exit::dataerr, "the message has no sender (From)");
  const Policy policy = policy_of(forum);
  if (!o_.require_auth.empty() && !authenticated(record.authentication_results, o_.require_auth, sender))
    return refused(Exit::noperm, "no DMARC or DKIM pass for " + sender + " from " + o_.require_auth);
  std::optional<Member> member;
  if (auto r = sender_refused(sender, forum, member)) return *r;

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
    if (const auto* found = group_.deferred(forum.name, std::get<std::string>(k)))
      known.emplace(std::get<std::string>(k), *found);
  if (auto it = known.find(key); it != known.end()) {
    Result r;
    r.outcome = Outcome::duplicate;
    r.post = static_cast<std::uint64_t>(it->second.first);
    r.thread = static_cast<std::uint64_t>(it->second.second);
    return r;
  }
  std::int64_t parent = 0, thread = 0;
  // A verified reply key names the post replied to, header or not.
  if (reply_to != 0)
    if (auto rows = group_.read("find_post", {reply_to}, forum.table); !rows.empty()) {
      parent = to_int(rows[0][0]);
      thread = to_int(rows[0][1]);
      // A thread started in the open group is marked as such at its commit.
      if (thread == 0) thread = parent;
    }
  for (size_t i = 0; i < ids.size() && parent == 0; ++i) {
    if (auto it = known.find(id_keys[i]); it != known.end()) {
      std::tie(parent, thread) = it->second;
    } else if (std::int64_t web = web_id_.post(forum.name, ids[i])) {
      if (auto rows = group_.read("find_post", {web}, forum.table); !rows.empty()) {
        parent = to_int(rows[0][0]);
        thread = to_int(rows[0][1]);
      }
      // A thread started in the open group is marked as such at its commit.
      if (thread == 0) thread = parent;
    }
  }
  if (parent == 0 && o_.subject_fallback && base_subject(record.subject) != record.subject) {
    std::string subject = fit_charset(escape_html(base_subject(record.subject)), forum.charset_of("subject"));
    auto rows = group_.read("find_thread_by_subject", {subject}, forum.table);
    if (!rows.empty()) {
      parent = to_int(rows[0][0]);
      thread = to_int(rows[0][1]);
      if (thread == 0) thread = parent;
    }
  }

  // A guest's name is marked as such: it must never pass for a user's
  // login (a forged "admin"), and it is stored escaped like everything
  // W-Agora prints.
  // The name is cut where one of its characters ends (never inside an
  // entity), short enough that the marker always stays.
  std::string author = member ? member->userid : record.from.name;
  if (author.empty()) author = sender.substr(0, sender.find('@'));
  static const std::string guest = " (guest)";
  author =
      truncate_html(fit_charset(escape_html(author), forum.charset_of("userid")), 64 - (member ? 0 : guest.size()));
  if (!member) author += guest;
  std::string subject = record.subject.empty() ? "(no subject)" : record.subject;
  std::string text = record.text;
  const std::int64_t t = now();
  // A flood waits, or, once it goes on, goes to the moderators.
  const Flood flood = this->flood(sender, forum.name);
  if (flood == Flood::wait) {
    count_rate(sender, forum.name, false);
    Result r;
    r.outcome = Outcome::deferred;
    r.status = Exit::tempfail;
    r.reason = "over the limit of posts an hour (--sender-limit, --forum-limit): it waits";
    return r;
  }
  const bool hidden = policy == Policy::moderated || flood == Flood::hide;

  // A body the column cannot hold is refused, whole: a legacy server in
  // non-strict mode would cut it anywhere, in the middle of a tag.
  std::string body = fit_charset(text_to_html(text), forum.charset);
  if (forum.body_max && stored_size(body, forum.charset) > forum.body_max)
    return refused(Exit::dataerr,
                   "the message is too large for " + forum.name + ": " +
                       std::to_string(stored_size(body, forum.charset)) + " bytes of HTML, its " + forum.table +
                       ".body takes " + std::to_string(forum.body_max),
                   "too-large");

  group_.begin_message();
  std::uint64_t id = group_.write(
      "insert_post",
      {parent, thread, truncate_html(fit_charset(escape_html(subject), forum.charset_of("subject")), 255), body,
       truncate_html(fit_charset(escape_html(truncate_utf8(text, 200)), forum.charset_of("summary")), 255), author, t,
       std::string(), std::int64_t{hidden}},
      forum.table);
  // Grouped, a thread's start and the record are written with the
  // group's (see write_records), unless each message must be undoable
  // alone (a replay) or the user replaced the statement.
  const bool defer = group_.defers();
  const bool defer_thread = defer && !profile_.statements().at("start_thread").replaced;
  const bool defer_record = defer && !profile_.statements().at("record_message").replaced;
  const bool new_thread = thread == 0;
  if (new_thread) {
    if (!defer_thread) group_.write("start_thread", {static_cast<std::int64_t>(id)}, forum.table);
    thread = static_cast<std::int64_t>(id);
  }
  std::vector<Value> message_record{
      forum.name, key, ascii_id(record.message_id.value_or("")), static_cast<std::int64_t>(id),
      thread,     t,   ascii_address(record.from.address)};
  // A record_message of the user's from before the sender was recorded
  // has six markers: it is given the six values it was written for.
  if (const auto& s = profile_.statements().at("record_message");
      s.replaced && std::count(s.sql.begin(), s.sql.end(), '?') == 6)
    message_record.pop_back();
  if (!defer_record) {
    try {
      group_.write("record_message", message_record);
    } catch (const DbError& e) {
      if (e.code() != ER_DUP_ENTRY) throw;
      // Another delivery of this message committed first.
      group_.undo_message();
      Result r;
      r.outcome = Outcome::duplicate;
      return r;
    }
  }
  FileRenames files;
  const std::vector<StoredAttachment> stored = store_attachments(record, id, t, o_, group_, files);
  // Where an image stood, a link to its file, when the web has them.
  if (!o_.attachments_url.empty() && !stored.empty()) {
    std::string linked = link_images(body, stored, o_.attachments_url, o_.attachment_path, forum.charset);
    if (forum.body_max && stored_size(linked, forum.charset) > forum.body_max)
      log::notice("no links to the images of post " + std::to_string(id) + ": the body column cannot hold them");
    else if (linked != body) group_.write("link_attachments", {linked, static_cast<std::int64_t>(id)}, forum.table);
  }
  if (new_thread && defer_thread) group_.defer_thread(forum.table, static_cast<std::int64_t>(id));
  if (defer_record) {
    group_.defer_record(forum.name, key, std::move(message_record), static_cast<std::int64_t>(id), thread);
  }
  group_.count_post(forum.name, member ? member->userid : std::string(), parent == 0, t);
  count_rate(sender, forum.name, true);
  group_.end_message(std::move(files));
  Result r;
  r.outcome = Outcome::posted;
  if (flood == Flood::hide) r.reason = "hidden for moderation: over the limit of posts an hour";
  r.post = id;
  r.thread = static_cast<std::uint64_t>(thread);
  return r;
}

}  // namespace forumgate::forum
