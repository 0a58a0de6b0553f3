#include "mime/text.hpp"

#include <algorithm>
#include <vector>

#include "mime/header.hpp"

namespace forumgate::mime {

namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_blank(std::string_view line) { return trim(line).empty(); }

bool starts_with_i(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool ends_with_i(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

std::string join(const std::vector<std::string_view>& lines, std::size_t from, std::size_t to) {
  while (to > from && is_blank(lines[to - 1])) --to;
  while (from < to && is_blank(lines[from])) ++from;
  std::string out;
  for (std::size_t i = from; i < to; ++i) {
    out.append(lines[i]);
    if (i + 1 < to) out.push_back('\n');
  }
  return out;
}

}  // namespace

// RFC 3676 section 4.1 (flowed lines), 4.3 (the signature separator is
// never flowed), 4.4 (space-stuffing), 4.5 (quote depth: a flowed line
// joins only a line of the same depth).
std::string unflow(std::string_view text, bool delsp) {
  std::string out;
  bool joining = false;  // the previous line was flowed and this one continues it
  std::size_t depth_of_paragraph = 0;
  for (std::string_view line : split_lines(text)) {
    std::size_t depth = 0;
    while (depth < line.size() && line[depth] == '>') ++depth;
    std::string_view content = line.substr(depth);
    if (!content.empty() && content.front() == ' ') content.remove_prefix(1);  // stuffing
    bool signature = content == "-- ";
    bool flowed = !signature && !content.empty() && content.back() == ' ';
    if (joining && (depth != depth_of_paragraph || signature)) {
      out.push_back('\n');  // a quote depth change ends the paragraph (4.5)
      joining = false;
    }
    if (!joining) {
      out.append(depth, '>');
      if (depth > 0 && !content.empty()) out.push_back(' ');
    }
    if (flowed && delsp) content.remove_suffix(1);
    out.append(content);
    joining = flowed;
    depth_of_paragraph = depth;
    if (!flowed) out.push_back('\n');
  }
  if (joining) out.push_back('\n');
  if (!out.empty() && out.back() == '\n' && (text.empty() || text.back() != '\n')) out.pop_back();
  return out;
}

namespace {

// "On <date>, <name> wrote:" and its translations: the words that start
// it and those that end it.
struct Attribution {
  std::string_view start;
  std::string_view end;
  std::string_view middle;  // a word that must appear when the end is only ':'
};

constexpr Attribution attributions[] = {
    {"On ", "wrote:", {}},
    {"Le ",
     "a \xC3\xA9"
     "crit :",
     {}},  // a écrit :
    {"Le ",
     "a \xC3\xA9"
     "crit:",
     {}},
    {"Am ", ":", " schrieb "},
    {"El ", "escribi\xC3\xB3:", {}},  // escribió:
    {"Il ", "ha scritto:", {}},
    {"Op ", ":", " schreef "},
    {"Em ", "escreveu:", {}},
};

bool is_attribution(std::string_view line) {
  line = trim(line);
  for (const auto& a : attributions)
    if (starts_with_i(line, a.start) && ends_with_i(line, a.end) &&
        (a.middle.empty() || line.find(a.middle) != std::string_view::npos))
      return true;
  return false;
}

// The first line of an attribution that a mailer wrapped over two lines.
bool starts_attribution(std::string_view line) {
  line = trim(line);
  if (line.empty() || line.back() == '.') return false;
  return std::any_of(std::begin(attributions), std::end(attributions),
                     [&](const Attribution& a) { return starts_with_i(line, a.start); });
}

// How many lines (1 or 2) the attribution at lines[i] takes; 0 for none.
std::size_t attribution_at(const std::vector<std::string_view>& lines, std::size_t i) {
  if (is_attribution(lines[i])) return 1;
  if (i + 1 < lines.size() && starts_attribution(lines[i]) && !is_blank(lines[i + 1]) &&
      is_attribution(std::string(trim(lines[i])) + " " + std::string(trim(lines[i + 1]))))
    return 2;
  return 0;
}

bool is_quoted(std::string_view line) { return !line.empty() && line.front() == '>'; }

// A header line of a quoted message, as Outlook writes it (in some of its
// languages), also in bold as "*From:*" after an HTML conversion.
bool is_header(std::string_view line, std::initializer_list<std::string_view> names) {
  line = trim(line);
  while (!line.empty() && line.front() == '*') line.remove_prefix(1);
  return std::any_of(names.begin(), names.end(), [&](std::string_view n) { return starts_with_i(line, n); });
}

bool is_from_header(std::string_view line) {
  return is_header(line, {"From:", "From :", "De:", "De :", "Von:", "Da:", "Van:"});
}

bool is_sent_header(std::string_view line) {
  return is_header(line, {"Sent:", "Date:", "Envoy\xC3\xA9 :", "Envoy\xC3\xA9:", "Gesendet:", "Datum:", "Enviado:",
                          "Enviado el:", "Inviato:", "Verzonden:", "Fecha:", "Data:"});
}

// "-----Original Message-----" and its translations.
bool is_original_message(std::string_view line) {
  line = trim(line);
  if (line.size() < 10 || line.substr(0, 3) != "---" || line.substr(line.size() - 3) != "---") return false;
  std::string words = to_lower(line);
  for (std::string_view w : {"original message", "urspr\xC3\xBCngliche nachricht", "message d'origine",
                             "mensaje original", "messaggio originale", "oorspronkelijk bericht", "mensagem original"})
    if (words.find(w) != std::string::npos) return true;
  return false;
}

// Where the quoted original message starts when lines[i] opens it with a
// header block: "-----Original Message-----", an underscore rule followed by
// From:, or From: followed by Sent:/Date: within three lines.
bool opens_header_block(const std::vector<std::string_view>& lines, std::size_t i) {
  if (is_original_message(lines[i])) return true;
  std::string_view line = trim(lines[i]);
  std::size_t next = i + 1;
  while (next < lines.size() && is_blank(lines[next])) ++next;
  if (line.size() >= 20 && line.find_first_not_of('_') == std::string_view::npos)
    return next < lines.size() && is_from_header(lines[next]);
  if (!is_from_header(line)) return false;
  for (std::size_t k = i + 1; k < lines.size() && k <= i + 3; ++k)
    if (is_sent_header(lines[k])) return true;
  return false;
}

// The first line of the quoted tail, or lines.size() when there is none.
std::size_t quote_start(const std::vector<std::string_view>& lines) {
  std::size_t n = lines.size();
  // Everything after an Outlook-style header block is the original.
  std::size_t start = n;
  for (std::size_t i = 0; i < n; ++i)
    if (opens_header_block(lines, i)) {
      start = i;
      break;
    }
  // An attribution followed only by quoted lines, or only by unquoted ones
  // when it looks like one (a date or an address in it, not just "On
  // Monday, Bob wrote:" in a story): the quote is not interleaved.
  std::vector<char> quoted_from(start + 1, 0), unquoted_from(start + 1, 0);
  for (std::size_t i = start; i-- > 0;) {
    quoted_from[i] = quoted_from[i + 1] || is_quoted(lines[i]);
    unquoted_from[i] = unquoted_from[i + 1] || (!is_blank(lines[i]) && !is_quoted(lines[i]));
  }
  for (std::size_t i = 0; i < start; ++i) {
    std::size_t len = attribution_at(lines, i);
    if (len == 0 || i + len > start) continue;
    std::string_view first = lines[i];
    bool dated = first.find_first_of("0123456789@") != std::string_view::npos;
    if ((quoted_from[i + len] && !unquoted_from[i + len]) || (dated && !quoted_from[i + len])) {
      start = i;
      break;
    }
  }
  // A block of '>' lines at the end.
  std::size_t i = start;
  while (i > 0 && (is_quoted(lines[i - 1]) || is_blank(lines[i - 1]))) --i;
  if (i < start) {
    bool any_quoted = false;
    for (std::size_t k = i; k < start; ++k) any_quoted = any_quoted || is_quoted(lines[k]);
    if (any_quoted) start = i;
  }
  return start;
}

bool is_mobile_signature(std::string_view line) {
  line = trim(line);
  for (std::string_view prefix :
       {"Sent from my ", "Sent from Mail for ", "Envoy\xC3\xA9 de mon ", "Envoy\xC3\xA9 depuis mon ",
        "Enviado desde mi ", "Inviato da ", "Inviato dal mio ", "Verzonden vanaf mijn ", "Verstuurd vanaf mijn ",
        "Verzonden met mijn ", "Enviado do meu ", "Enviado de meu ", "Get Outlook for "})
    if (starts_with_i(line, prefix)) return true;
  return starts_with_i(line, "Von meinem ") && line.find("gesendet") != std::string_view::npos;
}

bool has_text(const std::vector<std::string_view>& lines, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i)
    if (!is_blank(lines[i])) return true;
  return false;
}

}  // namespace

namespace {

TrimmedReply trim_lines(const std::vector<std::string_view>& lines) {
  std::size_t quote = quote_start(lines);
  if (!has_text(lines, 0, quote)) quote = lines.size();  // nothing new: keep it all
  std::size_t signature = quote;
  for (std::size_t i = quote; i-- > 0;) {
    if (lines[i] == "-- " || lines[i] == "--") {
      signature = i;
      break;
    }
  }
  if (signature == quote) {  // "Sent from my iPhone" as the last line
    std::size_t last = quote;
    while (last > 0 && is_blank(lines[last - 1])) --last;
    if (last > 0 && is_mobile_signature(lines[last - 1])) signature = last - 1;
  }
  if (!has_text(lines, 0, signature)) signature = quote;
  TrimmedReply result;
  result.text = join(lines, 0, signature);
  result.signature = join(lines, signature, quote);
  result.quoted = join(lines, quote, lines.size());
  return result;
}

}  // namespace

TrimmedReply trim_reply(std::string_view text) {
  std::vector<std::string_view> lines = split_lines(text);
  // Some clients put the signature below the quote: a "-- " block among the
  // last 15 lines with no quoted line after it. The quote is then looked
  // for above it.
  for (std::size_t i = lines.size(); i-- > 0 && lines.size() - i <= 15;) {
    if (!lines[i].empty() && lines[i][0] == '>') break;
    if (lines[i] != "-- " && lines[i] != "--") continue;
    std::vector<std::string_view> above(lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(i));
    TrimmedReply result = trim_lines(above);
    if (result.quoted.empty() || !result.signature.empty()) break;
    result.signature = join(lines, i, lines.size());
    return result;
  }
  return trim_lines(lines);
}

bool is_stub_text(std::string_view text) {
  std::string_view t = trim(text);
  while (!t.empty() && (t.front() == '\n' || t.front() == '\r')) t = trim(t.substr(1));
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t = trim(t.substr(0, t.size() - 1));
  if (t.empty()) return true;
  if (t.size() > 300) return false;
  std::string lower = to_lower(t);
  if (lower.find("html") == std::string::npos) return false;
  for (std::string_view word :
       {"support", "view", "client", "program", "reader", "enable", "format", "version", "browser", "capable"})
    if (lower.find(word) != std::string::npos) return true;
  return false;
}

}  // namespace forumgate::mime
