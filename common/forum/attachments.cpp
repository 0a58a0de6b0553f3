#include "forum/attachments.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "cli/log.hpp"
#include "forum/body.hpp"
#include "mime/filename.hpp"
#include "mime/header.hpp"
#include "post/sha256.hpp"
#include "util/fd.hpp"
#include "util/text.hpp"

namespace forumgate::forum {

namespace {

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

}  // namespace

std::vector<StoredAttachment> store_attachments(const post::Record& record, std::uint64_t post_id, std::int64_t t,
                                                const GatewayOptions& o, Group& group, FileRenames& files) {
  std::vector<StoredAttachment> stored;
  if (o.attachment_base.empty() || !o.attachment_data) return stored;
  // Records may come from anywhere (--records): names are sanitized again
  // here, whatever mimeparse did, and the bytes must be what the record says.
  mime::FileNames clean, unique;
  for (const auto& a : record.attachments) {
    if (a.size > o.max_attachment) {
      log::notice("attachment " + a.filename + " not stored: " + std::to_string(a.size) + " bytes is over the limit");
      continue;
    }
    if (std::find(o.attachment_types.begin(), o.attachment_types.end(), mime::to_lower(a.content_type)) ==
        o.attachment_types.end()) {
      log::notice("attachment " + a.filename + " not stored: type " + a.content_type + " is not allowed");
      continue;
    }
    auto data = o.attachment_data(a);
    if (!data) continue;
    if (post::sha256_hex(*data) != a.sha256) {
      log::warning("attachment " + a.filename + " not stored: its content is not what the record says");
      continue;
    }
    const std::string name =
        unique.add(stored_attachment_name(clean.add(a.filename, a.content_type), mime::to_lower(a.content_type)), "");
    std::uint64_t att_id =
        group.write("record_attachment", {name, o.attachment_path, t, static_cast<std::int64_t>(post_id)});
    if (o.dry_run) continue;
    std::string dir = o.attachment_base + "/" + o.attachment_path;
    std::string final_name = dir + "/" + std::to_string(att_id) + "." + name;
    std::string temp = dir + "/.tmp." + std::to_string(att_id) + "." + std::to_string(::getpid());
    // A full or failing disk passes: the message waits (75) rather than
    // bounce, and what this message wrote so far goes.
    auto fail = [&](const std::string& what, int err) {
      for (const auto& [written, final_path] : files) ::unlink(written.c_str());
      bool passing = err == ENOSPC || err == EDQUOT || err == EIO;
      throw system_error(passing ? Exit::tempfail : Exit::cantcreat, what, err);
    };
    util::Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!fd.valid()) fail("cannot create " + temp, errno);
    bool ok = util::write_fully(fd.get(), *data) && ::fsync(fd.get()) == 0;
    int err = errno;
    fd.close();
    if (!ok) {
      ::unlink(temp.c_str());
      fail("cannot write " + temp, err);
    }
    files.emplace_back(temp, final_name);
    stored.push_back({std::to_string(att_id) + "." + name, a.placeholder});
  }
  return stored;
}

std::string link_images(const std::string& body, const std::vector<StoredAttachment>& stored, const std::string& url,
                        const std::string& path, const std::string& charset) {
  // By the words as text_to_html and fit_charset left them in the body:
  // the files that show them, in order.
  std::map<std::string, std::vector<std::string>> files;
  for (const auto& s : stored)
    if (!s.placeholder.empty()) files[fit_charset(escape_html(s.placeholder), charset)].push_back(s.file);
  struct Edit {
    std::size_t at, size;
    const std::string* file;
  };
  std::vector<Edit> edits;
  for (const auto& [words, shown] : files)
    for (std::size_t at = body.find(words), n = 0; at != std::string::npos; at = body.find(words, at + words.size()))
      edits.push_back({at, words.size(), &shown[std::min(n++, shown.size() - 1)]});
  std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.at < b.at; });
  std::string out;
  std::size_t done = 0;
  for (const auto& e : edits) {
    if (e.at < done) continue;  // two placeholders' words overlap: the first keeps its place
    const std::string href = url + "/" + (path.empty() ? "" : path + "/") + util::percent_encode(*e.file);
    out.append(body, done, e.at - done);
    out += "<a href=\"" + escape_html(href) + "\">" + body.substr(e.at, e.size) + "</a>";
    done = e.at + e.size;
  }
  out.append(body, done, std::string::npos);
  return out;
}

}  // namespace forumgate::forum
