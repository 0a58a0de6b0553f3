#include "notify/message.hpp"

#include "forum/body.hpp"
#include "mime/html.hpp"
#include "mime/writer.hpp"
#include "post/sha256.hpp"

namespace forumgate::notify {
namespace {

std::string angle(const std::string& s) { return "<" + s + ">"; }

std::string text_part(const std::string& text) {
  return "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n" +
         mime::quoted_printable(text);
}

std::string html_part(const std::string& html) {
  return "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n" +
         mime::quoted_printable(html);
}

std::string attachment_part(const Attachment& a) {
  return "Content-Type: " + a.content_type + mime::mime_parameter("name", a.name) +
         "\nContent-Disposition: attachment" + mime::mime_parameter("filename", a.name) +
         "\nContent-Transfer-Encoding: base64\n\n" + mime::base64_lines(*a.data);
}

// A multipart body of parts; the boundary is fixed by the caller: it can
// never appear in a quoted-printable or base64 part ("=_" is neither).
std::string multipart(const std::string& boundary, const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += "\n--" + boundary + "\n" + p;
  return out + "\n--" + boundary + "--\n";
}

// The footer: how to answer, how to leave, where the thread is.
struct Footer {
  std::string text, html;
};

Footer footer(const MailPost& post, const ListAddresses& list, const std::string& reply_to) {
  std::vector<std::pair<std::string, std::string>> lines;  // label, value
  lines.emplace_back("To answer on the forum " + list.title + ", reply to this message", "");
  (void)reply_to;
  lines.emplace_back("To unsubscribe, write to ", list.unsubscribe);
  if (!post.web_url.empty()) lines.emplace_back("The thread on the web: ", post.web_url);
  for (const auto& a : post.attachments)
    if (!a.data && !a.url.empty()) lines.emplace_back("Attachment " + a.name + ": ", a.url);
  Footer f;
  f.text = "\n-- \n";
  f.html = "<hr><p>";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    f.text += lines[i].first + lines[i].second + "\n";
    std::string value = forum::escape_html(lines[i].second);
    if (lines[i].second.rfind("https://", 0) == 0 || lines[i].second.rfind("http://", 0) == 0)
      value = "<a href=\"" + value + "\">" + value + "</a>";
    else if (!value.empty()) value = "<a href=\"mailto:" + value + "\">" + value + "</a>";
    f.html += (i ? "<br>" : "") + forum::escape_html(lines[i].first) + value;
  }
  f.html += "</p>";
  return f;
}

std::string list_headers(const ListAddresses& list) {
  std::string h = mime::address_field("List-Id", list.title, list.list_id);
  h += mime::list_field("List-Post", {angle("mailto:" + list.post)});
  std::vector<std::string> unsubscribe{angle("mailto:" + list.unsubscribe)};
  if (!list.unsubscribe_url.empty()) unsubscribe.push_back(angle(list.unsubscribe_url));
  h += mime::list_field("List-Unsubscribe", unsubscribe, ", ");
  // RFC 8058: one-click, for the https URL only.
  if (!list.unsubscribe_url.empty()) h += "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n";
  if (!list.archive_url.empty()) h += mime::list_field("List-Archive", {angle(list.archive_url)});
  h += "Precedence: list\n";
  if (!list.loop.empty()) h += mime::unstructured_field("X-Loop", list.loop);
  return h;
}

}  // namespace

bool usable_message_id(const std::string& id) {
  if (id.size() < 5 || id.size() > 250 || id.front() != '<' || id.back() != '>') return false;
  std::size_t at = id.find('@');
  if (at == std::string::npos || at < 2 || at + 2 >= id.size() || id.find('@', at + 1) != std::string::npos)
    return false;
  for (std::size_t i = 1; i + 1 < id.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(id[i]);
    if (c <= ' ' || c >= 0x7F || c == '<' || c == '>' || c == '(' || c == ')' || c == '\\' || c == '"' || c == ',' ||
        c == ';')
      return false;
  }
  return true;
}

std::string attachment_type(const std::string& name) {
  static const std::pair<const char*, const char*> types[] = {
      {".png", "image/png"},       {".jpg", "image/jpeg"},      {".gif", "image/gif"},
      {".webp", "image/webp"},     {".txt", "text/plain"},      {".pdf", "application/pdf"},
      {".zip", "application/zip"}, {".gz", "application/gzip"}, {".tar", "application/x-tar"}};
  std::size_t dot = name.rfind('.');
  std::string ext = dot == std::string::npos ? "" : name.substr(dot);
  for (const auto& [e, t] : types)
    if (ext == e) return t;
  return "application/octet-stream";
}

std::string build_message(const MailPost& post, const ListAddresses& list, const std::string& reply_to) {
  std::string from_name = post.author.empty() ? list.title : post.author + " via " + list.title;
  std::string m = mime::address_field("From", from_name, list.post);
  m += mime::address_field("Reply-To", "", reply_to);
  m += mime::address_field("To", list.title, list.post);
  m += mime::unstructured_field("Subject", post.subject.empty() ? "(no subject)" : post.subject);
  m += "Date: " + mime::rfc5322_date(post.date) + "\n";
  m += "Message-ID: " + post.message_id + "\n";
  if (!post.in_reply_to.empty()) m += "In-Reply-To: " + post.in_reply_to + "\n";
  if (!post.references.empty()) m += mime::list_field("References", post.references);
  m += list_headers(list);
  m += "MIME-Version: 1.0\n";

  const mime::TextAndSanitized body = mime::html_to_text_and_sanitized(post.html);
  const Footer f = footer(post, list, reply_to);
  // Fixed by the post: the same post makes the same message, resent or not.
  const std::string tag = std::to_string(post.id) + "_" + post::sha256_hex(post.message_id).substr(0, 16);
  std::string alternative =
      "Content-Type: multipart/alternative; boundary=\"=_alt_" + tag + "\"\n" +
      multipart("=_alt_" + tag, {text_part(body.text + "\n" + f.text), html_part(body.sanitized + f.html + "\n")});
  bool attached = false;
  for (const auto& a : post.attachments) attached = attached || a.data.has_value();
  if (!attached) return m + alternative;
  std::vector<std::string> parts{alternative};
  for (const auto& a : post.attachments)
    if (a.data) parts.push_back(attachment_part(a));
  return m + "Content-Type: multipart/mixed; boundary=\"=_mix_" + tag + "\"\n" + multipart("=_mix_" + tag, parts);
}

}  // namespace forumgate::notify
