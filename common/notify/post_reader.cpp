#include "notify/post_reader.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <deque>

#include "cli/log.hpp"
#include "mime/html.hpp"
#include "mime/writer.hpp"
#include "util/fd.hpp"
#include "util/text.hpp"

namespace forumgate::notify {
namespace {

// References: the thread's root and the newest ancestors (RFC 5322 3.6.4
// lets a long chain lose its middle).
constexpr std::size_t max_references = 20;
// post_message_ids asks for this many at once, padded: one prepared
// statement, whatever the chain's length.
constexpr std::size_t id_query_keys = max_references + 1;

std::int64_t to_int(const std::optional<std::string>& s) { return s && !s->empty() ? std::stoll(*s) : 0; }

// Text out of W-Agora's escaped (HTML) columns.
std::string plain(const std::string& html) { return mime::clean_header_text(mime::html_to_text(html)); }

}  // namespace

std::string fill(std::string pattern, const std::vector<std::pair<std::string, std::string>>& values) {
  for (const auto& [name, value] : values) {
    const std::string key = "{" + name + "}";
    for (size_t pos = 0; (pos = pattern.find(key, pos)) != std::string::npos; pos += value.size())
      pattern.replace(pos, key.size(), value);
  }
  return pattern;
}

std::optional<StoredPost> PostReader::read(const ForumInfo& forum, std::int64_t id) {
  auto rows = db_.query(profile_.sql("post_for_mail", forum.table), {id});
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  StoredPost p;
  MailPost& m = p.mail;
  m.id = to_int(r[0]);
  std::int64_t parent = to_int(r[1]);
  m.thread = to_int(r[2]);
  if (m.thread == 0) m.thread = parent ? parent : m.id;
  m.subject = plain(r[3].value_or(""));
  m.html = r[4].value_or("");
  m.date = to_int(r[6]);
  p.hidden = to_int(r[7]) != 0;
  read_author(r[5].value_or(""), p);

  // The chain of parents, from the thread's posts.
  std::deque<std::int64_t> chain;
  if (parent) {
    std::map<std::int64_t, std::int64_t> parents;
    for (const auto& t : db_.query(profile_.sql("thread_posts", forum.table), {m.thread, parent}))
      parents[to_int(t[0])] = to_int(t[1]);
    for (std::int64_t x = parent; x && parents.count(x) && chain.size() < 100000; x = parents[x]) chain.push_front(x);
    if (chain.empty()) chain.push_back(parent);
  }
  std::vector<std::int64_t> wanted{m.id};
  std::vector<std::int64_t> refs(chain.begin(), chain.end());
  if (refs.size() > max_references) {
    refs.erase(refs.begin() + 1, refs.end() - static_cast<std::ptrdiff_t>(max_references - 1));
  }
  wanted.insert(wanted.end(), refs.begin(), refs.end());
  auto ids = message_ids(forum, wanted, p.sender);
  m.message_id = ids[m.id];
  for (auto x : refs) m.references.push_back(ids[x]);
  if (!refs.empty()) m.in_reply_to = m.references.back();
  if (!o_.post_url.empty())
    m.web_url = fill(o_.post_url,
                     {{"forum", forum.name}, {"post", std::to_string(m.id)}, {"thread", std::to_string(m.thread)}});
  read_attachments(p);
  return p;
}

std::map<std::int64_t, std::string> PostReader::message_ids(const ForumInfo& forum,
                                                            const std::vector<std::int64_t>& posts,
                                                            std::string& sender) {
  std::map<std::int64_t, std::string> ids;
  std::vector<forum::Value> params{forum.name};
  for (std::size_t i = 0; i < id_query_keys; ++i) params.emplace_back(posts[i < posts.size() ? i : 0]);
  for (const auto& row : db_.query(profile_.sql("post_message_ids", "", id_query_keys), params)) {
    const std::string id = row[1].value_or("");
    if (usable_message_id(id)) ids[to_int(row[0])] = id;
    // A replaced statement may read no sender.
    if (row.size() > 2 && to_int(row[0]) == posts[0]) sender = row[2].value_or("");
  }
  // A web post, or a mail post whose id cannot be written as it came.
  for (auto x : posts)
    if (!ids.count(x)) ids[x] = fill(o_.web_message_id, {{"forum", forum.name}, {"post", std::to_string(x)}});
  return ids;
}

void PostReader::read_author(const std::string& userid, StoredPost& p) {
  static const std::string guest = " (guest)";
  if (userid.size() > guest.size() && userid.compare(userid.size() - guest.size(), guest.size(), guest) == 0) {
    p.mail.author = plain(userid.substr(0, userid.size() - guest.size()));
    return;
  }
  p.mail.author = plain(userid);
  if (userid.empty()) return;
  auto rows = db_.query(profile_.sql("post_author"), {userid});
  if (rows.empty()) return;
  std::string username = plain(rows[0][0].value_or(""));
  std::string full = plain(rows[0][1].value_or("") + " " + rows[0][2].value_or(""));
  if (!username.empty()) p.mail.author = username;
  else if (!full.empty()) p.mail.author = full;
  p.author_address = rows[0][3].value_or("");
}

void PostReader::read_attachments(StoredPost& p) {
  if (o_.attachments_dir.empty() && o_.attachments_url.empty()) return;
  for (const auto& row : db_.query(profile_.sql("post_attachments"), {p.mail.id})) {
    Attachment a;
    const std::string id = row[0].value_or(""), name = row[1].value_or(""), path = row[2].value_or("");
    // Names from the table are W-Agora's: a slash would leave its directory.
    if (name.find('/') != std::string::npos || path.find("..") != std::string::npos) continue;
    a.name = name;
    a.content_type = attachment_type(name);
    const std::string relative = (path.empty() ? "" : path + "/") + id + "." + name;
    if (!o_.attachments_url.empty())
      a.url = o_.attachments_url + "/" + (path.empty() ? "" : path + "/") + id + "." + util::percent_encode(name);
    if (!o_.attachments_dir.empty()) {
      const std::string file = o_.attachments_dir + "/" + relative;
      struct stat st;
      if (::stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
          static_cast<std::uint64_t>(st.st_size) <= o_.max_attached) {
        a.data = util::read_file(file);
        if (!a.data) log::warning("attachment " + file + " is gone");
      }
    }
    if (a.data || !a.url.empty()) p.mail.attachments.push_back(std::move(a));
  }
}

}  // namespace forumgate::notify
