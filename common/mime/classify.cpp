#include "mime/classify.hpp"

#include <algorithm>
#include <string>
#include "util/text.hpp"

namespace forumgate::mime {

std::string_view to_string(AutoKind kind) {
  switch (kind) {
    case AutoKind::none: return "none";
    case AutoKind::auto_reply: return "auto-reply";
    case AutoKind::bounce: return "bounce";
    case AutoKind::list: return "list";
    case AutoKind::loop: return "loop";
  }
  return "none";
}

namespace {

// The token a structured value starts with: comments "(...)" removed,
// parameters after ';' ignored, lower-cased (RFC 3834 section 5.1 gives
// Auto-Submitted parameters; Precedence values carry comments in practice).
std::string first_token(std::string_view value) {
  std::string out;
  int depth = 0;
  for (char c : value) {
    if (c == '(') ++depth;
    else if (c == ')' && depth > 0) --depth;
    else if (depth == 0 && c == ';') break;
    else if (depth == 0) out.push_back(c);
  }
  return to_lower(util::trim(out));
}

bool any_field(const Headers& headers, std::string_view name, auto predicate) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const HeaderField& f) { return iequals(f.name, name) && predicate(f.value); });
}

// The local part of the first address in a From value.
std::string local_part(std::string_view from) {
  std::size_t lt = from.rfind('<');
  std::string_view address = from;
  if (lt != std::string_view::npos) {
    address = from.substr(lt + 1);
    address = address.substr(0, address.find('>'));
  } else {
    address = util::trim(address);
    address = address.substr(0, address.find_first_of(" \t("));
  }
  return std::string(util::trim(address.substr(0, address.find('@'))));
}

bool is_null_sender(std::string_view sender) {
  std::string s;
  for (char c : sender)
    if (c != ' ' && c != '\t') s.push_back(c);
  return s == "<>";
}

bool is_daemon(std::string_view local) { return iequals(local, "mailer-daemon") || iequals(local, "postmaster"); }

// Lower case for ASCII and the Latin-1 letters of the UTF-8 subjects below
// (U+00C0..U+00DE, two bytes C3 80..C3 9E, but not U+00D7).
std::string fold(std::string_view s) {
  std::string out = to_lower(s);
  for (std::size_t i = 0; i + 1 < out.size(); ++i) {
    auto b = static_cast<unsigned char>(out[i + 1]);
    if (static_cast<unsigned char>(out[i]) == 0xC3 && b >= 0x80 && b <= 0x9E && b != 0x97)
      out[i + 1] = static_cast<char>(b + 0x20);
  }
  return out;
}

// Out-of-office subjects start with one of these, then end, ':', '-' or a
// space ("Absence" only alone or with ':', "Absence du bureau": a person
// may well write "Absence of the chair").
bool is_out_of_office_subject(std::string_view subject) {
  std::string s = fold(util::trim(subject));
  auto starts = [&](std::string_view prefix) {
    if (s.compare(0, prefix.size(), prefix) != 0) return false;
    return s.size() == prefix.size() || std::string_view(" :-").find(s[prefix.size()]) != std::string_view::npos;
  };
  for (std::string_view prefix : {"out of office",
                                  "out of the office",
                                  "automatic reply",
                                  "auto:",
                                  "autoreply",
                                  "auto-reply",
                                  "auto reply",
                                  "autoresponse",
                                  "automatic response",
                                  "abwesenheitsnotiz",
                                  "automatische antwort",
                                  "r\xC3\xA9ponse automatique",
                                  "respuesta autom\xC3\xA1tica",
                                  "fuera de la oficina",
                                  "risposta automatica",
                                  "fuori sede",
                                  "automatisch antwoord",
                                  "resposta autom\xC3\xA1tica",
                                  "absence du bureau",
                                  "abwesend",
                                  "niet aanwezig",
                                  "fora do escrit\xC3\xB3rio"})
    if (starts(prefix)) return true;
  return s == "absence" || s.compare(0, 8, "absence:") == 0 || s.compare(0, 9, "absence :") == 0;
}

}  // namespace

AutoKind classify(const ClassifyInput& in) {
  const Headers& h = in.headers;
  if (!in.loop_value.empty() &&
      any_field(h, "X-Loop", [&](std::string_view v) { return iequals(util::trim(v), util::trim(in.loop_value)); }))
    return AutoKind::loop;

  // RFC 3464 delivery status notifications. Other reports (RFC 8098 read
  // receipts, feedback reports) are machine-written answers: auto-replies.
  if (in.content_type == "multipart/report" && iequals(in.report_type, "delivery-status")) return AutoKind::bounce;
  if (is_null_sender(in.envelope_sender)) return AutoKind::bounce;
  if (is_daemon(local_part(in.envelope_sender))) return AutoKind::bounce;
  if (const std::string* from = find_field(h, "From"); from && is_daemon(local_part(*from))) return AutoKind::bounce;

  if (in.content_type == "multipart/report") return AutoKind::auto_reply;
  auto is_set = [](std::string_view v) {
    std::string t = first_token(v);
    return t != "no" && t != "false";
  };
  if (any_field(h, "Auto-Submitted", [](std::string_view v) {
        std::string t = first_token(v);
        return !t.empty() && t != "no";
      }))
    return AutoKind::auto_reply;
  for (std::string_view name : {"X-Autoreply", "X-Autorespond", "X-Autogenerated"})
    if (any_field(h, name, is_set)) return AutoKind::auto_reply;
  if (any_field(h, "Precedence", [](std::string_view v) { return first_token(v) == "auto_reply"; }))
    return AutoKind::auto_reply;
  if (is_out_of_office_subject(in.subject)) return AutoKind::auto_reply;

  if (find_field(h, "List-Id") || find_field(h, "List-Post")) return AutoKind::list;
  if (any_field(h, "Precedence", [](std::string_view v) {
        std::string t = first_token(v);
        return t == "bulk" || t == "list" || t == "junk";
      }))
    return AutoKind::list;
  return AutoKind::none;
}

}  // namespace forumgate::mime
