#include "forum/notice.hpp"

#include <mysqld_error.h>

#include <ctime>

#include "cli/log.hpp"
#include "forum/auth.hpp"
#include "forum/body.hpp"
#include "forum/gateway.hpp"
#include "forum/our_mail.hpp"
#include "mime/header.hpp"
#include "process/command.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"

namespace forumgate::forum {

namespace {

std::optional<std::string> read_if_there(const std::string& path) {
  try {
    return util::read_file(path, Exit::config);
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::string base64(std::string_view in) {
  static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < in.size(); i += 3) {
    unsigned n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    if (i + 2 < in.size()) n |= static_cast<unsigned char>(in[i + 2]);
    out += digits[(n >> 18) & 63];
    out += digits[(n >> 12) & 63];
    out += i + 1 < in.size() ? digits[(n >> 6) & 63] : '=';
    out += i + 2 < in.size() ? digits[n & 63] : '=';
  }
  return out;
}

// RFC 2047 B words of at most 45 bytes of UTF-8 each (60 encoded), cut
// where a character ends, when s is not ASCII.
std::string encoded_subject(const std::string& s) {
  bool ascii = true;
  for (unsigned char c : s) ascii = ascii && c < 0x80;
  if (ascii) return s;
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    std::string piece = truncate_utf8(std::string_view(s).substr(i), 45);
    if (piece.empty()) piece = s.substr(i, 1);  // not UTF-8: a byte at a time
    out += (out.empty() ? "" : " ") + std::string("=?UTF-8?B?") + base64(piece) + "?=";
    i += piece.size();
  }
  return out;
}

}  // namespace

std::string notice_text(const std::string& dir, const std::string& forum, const std::string& reason) {
  if (!dir.empty()) {
    if (!forum.empty())
      if (auto text = read_if_there(dir + "/" + forum + "/" + reason + ".txt")) return *text;
    if (auto text = read_if_there(dir + "/" + reason + ".txt")) return *text;
  }
  auto it = builtin_notice_texts().find(reason);
  if (it == builtin_notice_texts().end()) throw Error(Exit::software, "no notice text for \"" + reason + "\"");
  return it->second;
}

std::string fill_notice(const std::string& text, const std::map<std::string, std::string>& vars) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t open = text.find('{', i);
    std::size_t close = open == std::string::npos ? open : text.find('}', open);
    if (close == std::string::npos) {
      out.append(text, i, std::string::npos);
      break;
    }
    auto it = vars.find(text.substr(open + 1, close - open - 1));
    out.append(text, i, open - i);
    if (it != vars.end()) out += it->second;
    else out.append(text, open, close - open + 1);
    i = close + 1;
  }
  return out;
}

NoticeText split_notice(const std::string& filled) {
  NoticeText n;
  std::size_t pos = 0;
  while (pos < filled.size()) {
    std::size_t eol = filled.find('\n', pos);
    if (eol == std::string::npos) eol = filled.size();
    std::string line = filled.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.empty()) break;
    if (line.size() > 8 && mime::iequals(line.substr(0, 8), "subject:"))
      n.subject = encoded_subject(as_one_line(line.substr(line.find_first_not_of(' ', 8))));
  }
  if (pos < filled.size()) n.body = filled.substr(pos);
  return n;
}

std::optional<std::string> no_notice_because(const post::Record& r, bool our_address) {
  if (r.auto_kind != "none") return "an automatic message (" + r.auto_kind + ")";
  if (r.envelope_sender && r.envelope_sender->empty()) return "a null sender";
  const std::string& a = r.from.address;
  if (!sendable_address(a)) return "no plain sender address";
  const std::string local = mime::to_lower(a.substr(0, a.find('@')));
  // RFC 3834 section 2: never to these.
  if (local == "mailer-daemon" || local.rfind("owner-", 0) == 0 ||
      (local.size() > 8 && local.compare(local.size() - 8, 8, "-request") == 0))
    return "a robot's address";
  if (our_address) return "one of our own addresses";
  return std::nullopt;
}

std::int64_t notice_day(std::int64_t t) { return t / 86400; }

std::string rfc5322_date(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

// The notice for a refused message, when it may have one: see notice.hpp.
// Best effort: the message's outcome stands whatever happens here.
void Gateway::send_notice(const post::Record& record, const Result& r, const std::string& recipient) {
  if (!o_.notices || r.notice.empty()) return;
  const std::string& sender = record.from.address;
  // A pattern for any domain matches every address: it tells nothing.
  const std::string& pattern = o_.pattern.pattern();
  const bool ours = pattern.back() != '@' && o_.pattern.match(sender).has_value();
  std::optional<std::string> skip = no_notice_because(record, ours);
  if (!skip && !o_.require_auth.empty() && !authenticated(record.authentication_results, o_.require_auth, sender))
    skip = "no DMARC or DKIM pass: the sender may be forged";
  if (skip) {
    log::info("no notice to " + as_one_line(sender) + ": " + *skip);
    return;
  }
  const std::int64_t t = now();
  try {
    group_.write("record_notice", {fit_charset(mime::to_lower(sender), "latin1"), r.notice, notice_day(t)});
  } catch (const DbError& e) {
    if (e.code() != ER_DUP_ENTRY) throw;
    log::info("no notice to " + as_one_line(sender) + ": one for " + r.notice + " went today");
    return;
  }
  std::map<std::string, std::string> vars{
      {"forum", r.forum},
      {"address", r.forum.empty() || r.notice == "unknown-forum" ? "" : o_.pattern.address(r.forum)},
      {"recipient", as_one_line(recipient)},
      {"sender", sender},
      {"subject", as_one_line(record.subject.empty() ? "(no subject)" : record.subject)},
      {"date", record.date ? rfc5322_date(*record.date) : "(no date)"},
      {"message_id", as_one_line(record.message_id.value_or(""))},
      {"reason", as_one_line(r.reason)}};
  if (r.notice == "unknown-forum") {
    std::string list;
    for (const auto& row : group_.read("list_forums", {}))
      if (row[0] && valid_forum_name(*row[0])) list += "  " + o_.pattern.address(*row[0]) + "\n";
    vars["forums"] = list;
  }
  NoticeText text = split_notice(fill_notice(notice_text(o_.notice_dir, r.forum, r.notice), vars));
  // From the forum refused, else (no such forum) from the postmaster of
  // our domain.
  const auto at = pattern.rfind('@');
  std::string from = "postmaster" + (at == std::string::npos ? std::string() : pattern.substr(at));
  if (from.back() == '@') from.pop_back();
  if (r.notice != "unknown-forum" && !r.forum.empty()) from = o_.pattern.address(r.forum);
  OurMailHeader header;
  header.add("From", from);
  header.add("To", sender);
  header.add("Subject", text.subject.empty() ? "Your message was not posted" : text.subject);
  header.add("Auto-Submitted", "auto-replied");
  if (!o_.loop_value.empty()) header.add("X-Loop", o_.loop_value);
  if (record.message_id) {
    header.add_id("In-Reply-To", *record.message_id);
    header.add_id("References", *record.message_id);
  }
  std::string mail = header.text() + "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n" + text.body;
  if (o_.dry_run) {
    if (o_.print) o_.print("notice: " + o_.sendmail + "\n" + mail);
    return;
  }
  int status = process::run_with_input(process::command_argv(o_.sendmail), {mail}, {});
  if (status != 0) {
    log::warning("the notice to " + as_one_line(sender) + " could not be sent: " + o_.sendmail + " exited with " +
                 std::to_string(status));
    return;
  }
  log::info("notice sent to " + as_one_line(sender) + " (" + r.notice + ")");
}

}  // namespace forumgate::forum
