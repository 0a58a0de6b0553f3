#include "post/builder.hpp"

#include <map>
#include <set>
#include <stdexcept>

#include "mime/address.hpp"
#include "mime/charset.hpp"
#include "mime/classify.hpp"
#include "mime/dsn.hpp"
#include "mime/encoded_words.hpp"
#include "mime/filename.hpp"
#include "mime/html.hpp"
#include "mime/html_reply.hpp"
#include "mime/inline_images.hpp"
#include "mime/reply.hpp"
#include "mime/text.hpp"

namespace forumgate::post {

using mime::Part;

namespace {

bool is_signature(const Part& p) {
  return p.type() == "application/pgp-signature" || p.type() == "application/pkcs7-signature" ||
         p.type() == "application/x-pkcs7-signature";
}

std::string trim_id(std::string_view id) {
  while (!id.empty() && (id.front() == '<' || id.front() == ' ')) id.remove_prefix(1);
  while (!id.empty() && (id.back() == '>' || id.back() == ' ')) id.remove_suffix(1);
  return std::string(id);
}

// What stands in the text for an inline image until its part's file name
// is known: U+FFFC (OBJECT REPLACEMENT CHARACTER), the part number, U+FFFC.
std::string inline_token(const std::string& part) { return "\xEF\xBF\xBC" + part + "\xEF\xBF\xBC"; }

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

std::string escape_html(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

// t appended to a text, a blank line between them; nothing when t is blank.
void join_paragraphs(std::string& to, const std::string& t) {
  if (t.find_first_not_of(" \t\n") == std::string::npos) return;
  if (!to.empty()) to.append("\n\n");
  to.append(t);
}

// The walk that decides, part by part, what is body and what is attachment
// (RFC 2046: the alternatives of a multipart/alternative are one body; the
// root of a multipart/related is the body and the rest its resources).
class BodyWalker {
 public:
  BodyWalker(const mime::Message& m, std::vector<std::string>& defects) : m_(m), defects_(defects) {}

  void walk(const Part& p) {
    if (p.type() == "multipart/alternative") return alternative(p);
    if (p.type() == "multipart/related") return related(p);
    if (p.is_multipart()) {
      for (const auto& child : p.children) walk(child);
      return;
    }
    if (p.is_message() && &p == &m_.root) {
      for (const auto& child : p.children) walk(child);
      return;
    }
    if (is_signature(p)) return;
    if (is_body_text(p)) return add_text(p);
    attachments.push_back(&p);
  }

  std::string text;                 // UTF-8, parts joined by a blank line
  std::optional<std::string> html;  // raw HTML (UTF-8) of the body, when it had HTML
  // sanitize_html(*html) when it was made on the way (the HTML was also
  // the text, one parse gave both); else nullopt.
  std::optional<std::string> sanitized_html;
  bool want_sanitized = true;  // false when only the text is wanted
  // When set (reply trimming), HTML bodies lose their quote and signature
  // by client structure (html_reply.hpp) before they are made text; the
  // subject tells a forward.
  std::optional<std::string> split_html_subject;
  std::string html_quoted;     // the text of the quotes cut out of it
  std::string html_signature;  // the text of its signatures
  // When set (records), <img src="cid:..."> becomes a token naming the part
  // it shows (inline_token); the parts so shown, by number.
  bool mark_inline_images = false;
  std::set<std::string> shown_parts;
  std::vector<const Part*> attachments;

 private:
  bool is_body_text(const Part& p) const {
    if (p.type() != "text/plain" && p.type() != "text/html") return false;
    if (p.is_attachment()) return false;
    return p.filename().empty() || p.disposition.value == "inline";
  }

  void alternative(const Part& p) {
    // Prefer text/plain unless it is empty or a stub; else the HTML (which
    // may sit in a multipart/related); keep the HTML either way.
    const Part* plain = nullptr;
    const Part* rich = nullptr;
    for (const auto& child : p.children) {
      if (child.type() == "text/plain" && !plain) plain = &child;
      else if (child.type() == "text/html" || child.type() == "multipart/related" || child.type() == "multipart/mixed")
        rich = &child;
    }
    std::string plain_text = plain ? decoded_text(*plain) : std::string();
    bool plain_chosen = plain && !mime::is_stub_text(plain_text);
    if (rich) {
      BodyWalker inner(m_, defects_);
      inner.want_sanitized = want_sanitized;
      inner.split_html_subject = split_html_subject;
      inner.mark_inline_images = mark_inline_images;
      // The HTML is kept either way; made text only when it is the body
      // (converting it costs a full HTML parse).
      inner.html_as_text_ = !plain_chosen;
      inner.walk(*rich);
      if (inner.html) {
        html = std::move(inner.html);
        sanitized_html = std::move(inner.sanitized_html);
      }
      for (const Part* a : inner.attachments) attachments.push_back(a);
      shown_parts.merge(inner.shown_parts);
      if (!plain_chosen) {
        join_paragraphs(html_quoted, inner.html_quoted);
        join_paragraphs(html_signature, inner.html_signature);
        append(inner.text);
        return;
      }
    }
    if (plain) return append(plain_text);
    if (!p.children.empty()) walk(p.children.back());  // none we know: the richest
  }

  void related(const Part& p) {
    if (p.children.empty()) return;
    const Part* root = &p.children.front();
    if (const std::string* start = p.content_type.param("start"))
      for (const auto& child : p.children)
        if (const std::string* id = find_field(child.headers, "Content-ID"); id && *id == *start) root = &child;
    walk(*root);
    for (const auto& child : p.children)
      if (&child != root) attachments.push_back(&child);
  }

  void add_text(const Part& p) {
    std::string t = decoded_text(p);
    if (p.type() == "text/html") {
      if (mark_inline_images && has_cid_url(t)) t = mark_images(t);
      if (split_html_subject) {
        mime::HtmlReply split = mime::split_html_reply(t, *split_html_subject);
        if (html_as_text_) {
          if (!split.quoted.empty()) join_paragraphs(html_quoted, mime::html_to_text(split.quoted));
          if (!split.signature.empty()) join_paragraphs(html_signature, mime::html_to_text(split.signature));
        }
        t = std::move(split.html);
      }
      std::string as_text;
      if (html_as_text_ && !html && want_sanitized) {
        // The body's first HTML: its text and the record's HTML from one
        // parse (a second HTML part makes the record's HTML their join).
        mime::TextAndSanitized both = mime::html_to_text_and_sanitized(t);
        as_text = std::move(both.text);
        sanitized_html = std::move(both.sanitized);
      } else if (html_as_text_) {
        as_text = mime::html_to_text(t);
      }
      if (!html) {
        html = std::move(t);
      } else {
        html->append(t);
        sanitized_html.reset();
      }
      return append(as_text);
    }
    append(t);
  }

  void append(const std::string& t) {
    if (t.find_first_not_of(" \t\n") == std::string::npos) return;
    if (!text.empty()) text.append(text.back() == '\n' ? "\n" : "\n\n");
    text.append(t);
  }

  std::string decoded_text(const Part& p) {
    std::string bytes = mime::decode_body(m_, p, &defects_);
    const std::string* param = p.content_type.param("charset");
    std::string declared = param ? *param : std::string();
    // HTML without a charset parameter may declare one itself (a browser
    // would honour it).
    if (declared.empty() && p.type() == "text/html") declared = mime::html_meta_charset(bytes);
    mime::Converted c = mime::to_utf8(bytes, declared);
    if (c.unknown_charset)
      defects_.push_back("part " + p.number + ": unknown charset \"" + declared + "\"; read as " + c.charset);
    if (c.mislabeled)
      defects_.push_back("part " + p.number + ": 8-bit text declared " + declared + "; read as " + c.charset);
    if (c.read_as_utf8)
      defects_.push_back("part " + p.number + ": bytes invalid in " + c.declared + " but valid UTF-8; read as UTF-8");
    if (c.replaced) defects_.push_back("part " + p.number + ": bytes invalid in " + c.charset + " replaced");
    // A NUL byte is no text (and ends strings in the forum's PHP and C).
    std::erase(c.text, '\0');
    if (p.type() == "text/plain") {
      const std::string* format = p.content_type.param("format");
      if (format && mime::iequals(*format, "flowed")) {
        const std::string* delsp = p.content_type.param("delsp");
        c.text = mime::unflow(c.text, delsp && mime::iequals(*delsp, "yes"));
      }
    }
    return std::move(c.text);
  }

  static bool has_cid_url(std::string_view markup) {
    for (std::size_t i = markup.find(':'); i != std::string_view::npos; i = markup.find(':', i + 1))
      if (i >= 3 && mime::iequals(markup.substr(i - 3, 3), "cid")) return true;
    return false;
  }

  // The HTML with its cid: images as tokens for the parts they show (the
  // parts' file names are known only once every attachment is named).
  std::string mark_images(std::string_view markup) {
    if (parts_by_id_.empty())
      for (std::vector<const Part*> stack{&m_.root}; !stack.empty();) {
        const Part* p = stack.back();
        stack.pop_back();
        if (const std::string* id = find_field(p->headers, "Content-ID")) parts_by_id_.emplace(trim_id(*id), p);
        for (const auto& child : p->children) stack.push_back(&child);
      }
    return mime::mark_cid_images(markup, [&](std::string_view id) -> std::string {
      auto it = parts_by_id_.find(std::string(id));
      if (it == parts_by_id_.end()) return {};
      shown_parts.insert(it->second->number);
      return inline_token(it->second->number);
    });
  }

  const mime::Message& m_;
  std::vector<std::string>& defects_;
  std::map<std::string, const Part*> parts_by_id_;  // Content-ID without brackets
  bool html_as_text_ = true;
};

std::optional<std::string> header(const mime::Message& m, std::string_view name) {
  const std::string* v = find_field(m.root.headers, name);
  return v ? std::optional<std::string>(*v) : std::nullopt;
}

std::vector<Mailbox> mailboxes(const mime::Message& m, std::string_view name) {
  std::vector<Mailbox> out;
  for (const auto& field : m.root.headers)
    if (mime::iequals(field.name, name))
      for (auto& a : mime::parse_address_list(field.value)) out.push_back({std::move(a.name), std::move(a.address)});
  return out;
}

std::optional<std::string> envelope_sender(const mime::Message& m) {
  if (auto rp = header(m, "Return-Path")) {
    auto open = rp->find('<');
    auto close = rp->rfind('>');
    if (open != std::string::npos && close != std::string::npos && close > open)
      return rp->substr(open + 1, close - open - 1);
    return *rp;
  }
  if (!m.envelope_sender.empty()) return m.envelope_sender == "<>" ? "" : m.envelope_sender;
  return std::nullopt;
}

// The inline images' tokens replaced by their placeholders; a token for a
// part that is no attachment (the body itself) goes.
void show_inline_images(Record& r, const std::set<std::string>& shown) {
  for (const std::string& part : shown) {
    std::string placeholder;
    for (const Attachment& a : r.attachments)
      if (a.part == part) placeholder = a.placeholder;
    std::string token = inline_token(part);
    for (std::string* field : {&r.text, &r.text_quoted, &r.signature}) replace_all(*field, token, placeholder);
    if (r.html) replace_all(*r.html, token, escape_html(placeholder));
  }
}

}  // namespace

std::string body_text(const mime::Message& message) {
  std::vector<std::string> defects;
  BodyWalker walker(message, defects);
  walker.want_sanitized = false;
  walker.walk(message.root);
  return walker.text;
}

Record build_record(const mime::Message& m, const BuildOptions& options) {
  Record r;
  r.size = m.original_size;
  r.defects = m.defects;
  if (auto v = header(m, "Message-ID")) {
    auto ids = mime::parse_message_ids(*v);
    if (!ids.empty()) r.message_id = ids.front();
  }
  if (auto v = header(m, "In-Reply-To")) {
    auto ids = mime::parse_message_ids(*v);
    if (!ids.empty()) r.in_reply_to = ids.back();
  }
  if (auto v = header(m, "References")) r.references = mime::parse_message_ids(*v);
  if (auto v = header(m, "Date")) r.date = mime::parse_date(*v);
  auto from = mailboxes(m, "From");
  if (from.empty()) from = mailboxes(m, "Sender");
  if (!from.empty()) r.from = from.front();
  r.to = mailboxes(m, "To");
  r.cc = mailboxes(m, "Cc");
  r.reply_to = mailboxes(m, "Reply-To");
  for (const auto& field : m.root.headers)
    if (mime::iequals(field.name, "Delivered-To") || mime::iequals(field.name, "X-Original-To"))
      r.delivered_to.push_back(field.value);
    else if (mime::iequals(field.name, "Authentication-Results")) r.authentication_results.push_back(field.value);
  if (options.recipient) r.recipient = options.recipient;
  else if (!r.delivered_to.empty()) r.recipient = r.delivered_to.front();
  r.envelope_sender = envelope_sender(m);
  if (auto v = header(m, "Subject")) r.subject = mime::decode_header_text(*v);

  BodyWalker walker(m, r.defects);
  if (options.trim_reply) walker.split_html_subject = r.subject;
  walker.mark_inline_images = true;
  walker.walk(m.root);
  if (walker.html)
    r.html = walker.sanitized_html ? std::move(*walker.sanitized_html) : mime::sanitize_html(*walker.html);
  if (options.trim_reply) {
    // What the HTML's structure left (its blockquotes are '>' lines now)
    // goes through the plain rules too: answers between quotes, clients
    // whose structure is unknown, "Sent from my iPhone" in a plain <div>.
    mime::TrimmedReply t = mime::trim_reply(walker.text, {r.subject});
    r.text = std::move(t.text);
    r.text_quoted = std::move(t.quoted);
    join_paragraphs(r.text_quoted, walker.html_quoted);
    r.signature = std::move(t.signature);
    join_paragraphs(r.signature, walker.html_signature);
  } else {
    r.text = std::move(walker.text);
  }

  mime::FileNames names;
  for (const Part* p : walker.attachments) {
    Attachment a;
    a.part = p->number;
    a.content_type = p->type();
    a.disposition = p->is_attachment() ? "attachment" : "inline";
    if (const std::string* cid = find_field(p->headers, "Content-ID")) a.content_id = trim_id(*cid);
    std::string raw_name = p->filename();
    if (raw_name.empty() && p->is_message()) {
      const std::string* subject = p->children.empty() ? nullptr : find_field(p->children.front().headers, "Subject");
      raw_name = (subject ? mime::decode_header_text(*subject) : std::string("message")) + ".eml";
    }
    a.filename = names.add(raw_name, a.content_type);
    std::string data = mime::decode_body(m, *p, &r.defects);
    a.size = data.size();
    a.sha256 = sha256_hex(data);
    if (options.on_attachment) a.path = options.on_attachment(a, data);
    if (walker.shown_parts.count(a.part)) a.placeholder = "[image: " + a.filename + "]";
    r.attachments.push_back(std::move(a));
  }
  show_inline_images(r, walker.shown_parts);

  const std::string* report_type = m.root.content_type.param("report-type");
  std::string sender = r.envelope_sender ? *r.envelope_sender : std::string();
  mime::ClassifyInput in{
      m.root.headers,
      m.root.type(),
      report_type ? *report_type : std::string_view(),
      r.envelope_sender ? (sender.empty() ? std::string_view("<>") : std::string_view(sender)) : std::string_view(),
      r.subject,
      options.loop_value};
  r.auto_kind = std::string(mime::to_string(mime::classify(in)));
  if (mime::Dsn dsn = mime::read_dsn(m); dsn.found) {
    Bounce b;
    b.reporting_mta = dsn.reporting_mta;
    for (auto& x : dsn.recipients)
      b.recipients.push_back({std::move(x.address), std::move(x.action), std::move(x.status), std::move(x.diagnostic)});
    r.bounce = std::move(b);
  }
  return r;
}

}  // namespace forumgate::post
