#include "mime/message.hpp"

#include <mimetic/codec/code.h>
#include <mimetic/codec/qp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>

#include "mime/base64.hpp"
#include "mime/encoded_words.hpp"
#include "util/text.hpp"

namespace forumgate::mime {

namespace {

constexpr std::string_view npos_view{};

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

// CRLF to LF in place; a text with CR but no LF gets LF for each CR.
void normalize_line_ends(std::string& s, std::vector<std::string>& defects) {
  const char* cr = static_cast<const char*>(std::memchr(s.data(), '\r', s.size()));
  if (!cr) return;
  if (!std::memchr(s.data(), '\n', s.size())) {
    std::replace(s.begin(), s.end(), '\r', '\n');
    defects.emplace_back("lines end in CR only");
    return;
  }
  size_t out = static_cast<size_t>(cr - s.data());
  for (size_t in = out; in < s.size(); ++in) {
    if (s[in] == '\r' && in + 1 < s.size() && s[in + 1] == '\n') continue;
    s[out++] = s[in];
  }
  s.resize(out);
}

// The end of the line that starts at pos (the offset of its '\n', or end).
size_t line_end(std::string_view s, size_t pos, size_t end) {
  const void* nl = std::memchr(s.data() + pos, '\n', end - pos);
  return nl ? static_cast<size_t>(static_cast<const char*>(nl) - s.data()) : end;
}

bool valid_field_name(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name)
    if (c <= 32 || c >= 127 || c == ':') return false;
  return true;
}

// Whether line, which is no field, is the next parameter of the field
// before it: that field's value ends in ';' and line starts "name=".
bool continues_parameters(const Headers& fields, std::string_view line) {
  if (fields.empty()) return false;
  std::string_view value = fields.back().value;
  while (!value.empty() && is_wsp(value.back())) value.remove_suffix(1);
  if (value.empty() || value.back() != ';') return false;
  size_t eq = line.find('=');
  return eq != std::string_view::npos && eq > 0 && valid_field_name(line.substr(0, eq));
}

// RFC 5322 2.2: fields up to the first empty line; continuation lines
// (starting with WSP) unfolded. A line that is neither ends the header
// (a defect): it is the first line of the body. Returns the body's offset.
size_t parse_header(std::string_view s, size_t pos, size_t end, Headers& out, std::vector<std::string>& defects) {
  while (pos < end) {
    size_t eol = line_end(s, pos, end);
    std::string_view line = s.substr(pos, eol - pos);
    size_t next = eol < end ? eol + 1 : end;
    if (line.empty()) return next;
    if (is_wsp(line[0]) && !out.empty()) {
      out.back().value.append(line);
      pos = next;
      continue;
    }
    if (is_wsp(line[0])) {
      // Nothing to continue: read it as a field when it is one (" From: a"
      // from a broken relay), else skip it.
      defects.emplace_back("header starts with a continuation line");
      while (!line.empty() && is_wsp(line[0])) line.remove_prefix(1);
    }
    size_t colon = line.find(':');
    std::string_view name = colon == std::string_view::npos ? npos_view : line.substr(0, colon);
    while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);  // obsolete "Name :"
    if (!valid_field_name(name) && is_wsp(s[pos])) {
      pos = next;
      continue;
    }
    if (!valid_field_name(name) && continues_parameters(out, line)) {
      // A parameter list broken without the folding blank ("...;" then
      // "name=x" at the start of a line): one field, as mailers read it.
      defects.emplace_back("header field continued without folding");
      out.back().value.append(" ").append(line);
      pos = next;
      continue;
    }
    if (!valid_field_name(name)) {
      defects.emplace_back("header ends without an empty line");
      return pos;
    }
    out.push_back({std::string(name), std::string(line.substr(colon + 1))});
    pos = next;
  }
  if (!out.empty()) defects.emplace_back("the message ends in its header: truncated?");
  return end;
}

void trim_values(Headers& headers) {
  for (auto& field : headers) {
    std::string_view v = util::trim(field.value, " \t\r\n");
    if (v.size() != field.value.size()) field.value = std::string(v);
  }
}

// The offset of the first needle ("\n--boundary") in s[pos, end), or npos.
// The search is for the '-' after a line end, with memchr: base64 has no
// '-' at all and text few, so most bodies are passed over at memchr's
// speed, several times memmem's.
size_t find_line_start(std::string_view s, size_t pos, size_t end, std::string_view needle) {
  const char* base = s.data();
  const char* p = base + pos + 1;  // needle[1], the first '-'
  const char* stop = base + end;
  while (p < stop) {
    const void* dash = std::memchr(p, '-', static_cast<size_t>(stop - p));
    if (!dash) return std::string::npos;
    const char* at = static_cast<const char*>(dash) - 1;  // where the needle would start
    if (at[0] == '\n' && static_cast<size_t>(stop - at) >= needle.size() &&
        std::memcmp(at, needle.data(), needle.size()) == 0)
      return static_cast<size_t>(at - base);
    p = static_cast<const char*>(dash) + 1;
  }
  return std::string::npos;
}

class Walker {
 public:
  Walker(Message& m, const Limits& limits) : m_(m), s_(m.data), limits_(limits) {}

  // Parses the entity [begin, end) into part: header, then body by type.
  void entity(Part& part, size_t begin, size_t end, size_t depth, const std::string& default_type) {
    part.header_begin = begin;
    part.body_begin = parse_header(s_, begin, end, part.headers, m_.defects);
    part.body_end = end;
    trim_values(part.headers);
    describe(part, default_type);
    if (part.is_multipart() || part.is_message()) {
      if (depth >= limits_.max_depth) {
        m_.defects.push_back("part " + part.number + ": nested too deep; not parsed further");
        return;
      }
      if (part.is_multipart()) multipart(part, depth);
      else message(part, depth);
    }
  }

 private:
  void describe(Part& part, const std::string& default_type) {
    const std::string* ct = find_field(part.headers, "Content-Type");
    if (ct) part.content_type = parse_header_value(*ct);
    if (!ct || part.content_type.value.find('/') == std::string::npos) {
      if (ct) m_.defects.push_back("part " + part.number + ": bad Content-Type \"" + *ct + "\"");
      std::string charset;
      if (ct && part.content_type.param("charset")) charset = *part.content_type.param("charset");
      part.content_type = HeaderValue{default_type, {}};
      if (!charset.empty()) part.content_type.params.emplace_back("charset", charset);
    }
    if (const std::string* cd = find_field(part.headers, "Content-Disposition"))
      part.disposition = parse_header_value(*cd);
    // RFC 2045 section 3 allows one Content-Type and one
    // Content-Transfer-Encoding per entity, RFC 2183 one Content-Disposition
    // (it is one of RFC 2045's extension fields). Of two, the first is used
    // (as for every field read here), and the second is a defect: readers
    // disagree on which counts (GMime takes the last), so the sender meant
    // something we cannot know.
    for (std::string_view name : {"Content-Type", "Content-Transfer-Encoding", "Content-Disposition"}) {
      int seen = 0;
      for (const auto& field : part.headers) seen += iequals(field.name, name);
      if (seen > 1)
        m_.defects.push_back("part " + part.number + ": " + std::string(name) +
                             " given more than once; the first is used");
    }
    const std::string* cte = find_field(part.headers, "Content-Transfer-Encoding");
    part.encoding = cte ? to_lower(util::trim(*cte, " \t\r\n")) : "7bit";
    if (part.encoding.empty()) part.encoding = "7bit";
  }

  void multipart(Part& part, size_t depth) {
    const std::string* boundary = part.content_type.param("boundary");
    if (!boundary || boundary->empty()) {
      // RFC 2046 5.1.1 makes the parameter mandatory; the body is kept as text.
      m_.defects.push_back("part " + part.number + ": multipart without a boundary; read as text");
      part.content_type = HeaderValue{"text/plain", {}};
      return;
    }
    const std::string default_type = part.type() == "multipart/digest" ? "message/rfc822" : "text/plain";
    const std::string dash = "--" + *boundary;
    const std::string nl_dash = "\n" + dash;
    size_t pos = part.body_begin;
    size_t end = part.body_end;
    size_t part_start = std::string::npos;  // after the last delimiter line
    bool closed = false;
    // Candidates ("\n--boundary") are found by a search, not line by line:
    // each nesting level scans its body once, so this is most of the work.
    bool at_line_start = true;
    while (pos < end) {
      if (!at_line_start) {
        size_t hit = find_line_start(s_, pos, end, nl_dash);
        if (hit == std::string::npos) break;
        pos = hit + 1;
      }
      at_line_start = false;
      size_t eol = line_end(s_, pos, end);
      std::string_view line = std::string_view(s_).substr(pos, eol - pos);
      size_t next = eol < end ? eol + 1 : end;
      int kind = delimiter(line, dash);
      if (kind == 0) continue;
      // The line end before a delimiter belongs to the delimiter.
      if (part_start != std::string::npos) add_child(part, part_start, pos > part_start ? pos - 1 : pos, depth);
      if (kind == 2) {
        closed = true;
        break;
      }
      part_start = next;
      if (parts_left_ == 0) {
        m_.defects.push_back("part " + part.number + ": too many parts; the rest not parsed");
        return;
      }
      pos = next;
      at_line_start = true;
    }
    if (part_start == std::string::npos) {
      m_.defects.push_back("part " + part.number + ": boundary \"" + *boundary + "\" never found; read as text");
      part.content_type = HeaderValue{"text/plain", {}};
      return;
    }
    if (!closed) {
      m_.defects.push_back("part " + part.number + ": missing end boundary");
      add_child(part, part_start, end, depth);
    }
  }

  // 0: not a delimiter; 1: "--boundary"; 2: "--boundary--" (RFC 2046 5.1.1:
  // only transport padding may follow).
  static int delimiter(std::string_view line, std::string_view dash) {
    if (line.size() < dash.size() || line.compare(0, dash.size(), dash) != 0) return 0;
    std::string_view rest = line.substr(dash.size());
    int kind = 1;
    if (rest.size() >= 2 && rest[0] == '-' && rest[1] == '-') {
      kind = 2;
      rest.remove_prefix(2);
    }
    for (char c : rest)
      if (!is_wsp(c)) return 0;
    return kind;
  }

  void add_child(Part& parent, size_t begin, size_t end, size_t depth) {
    if (parts_left_ == 0) return;
    --parts_left_;
    Part& child = parent.children.emplace_back();
    child.number = parent.number + "." + std::to_string(parent.children.size());
    entity(child, begin, std::max(begin, end), depth + 1,
           parent.type() == "multipart/digest" ? "message/rfc822" : "text/plain");
  }

  void message(Part& part, size_t depth) {
    // An encapsulated message may only be 7bit, 8bit or binary (RFC 2046
    // 5.2.1); one in base64 is kept whole, as an attachment.
    if (part.encoding != "7bit" && part.encoding != "8bit" && part.encoding != "binary") return;
    if (parts_left_ == 0) return;
    --parts_left_;
    Part& child = part.children.emplace_back();
    child.number = part.number + ".1";
    entity(child, part.body_begin, part.body_end, depth + 1, "text/plain");
  }

  Message& m_;
  const std::string& s_;
  const Limits& limits_;
  size_t parts_left_ = limits_.max_parts;
};

}  // namespace

bool Part::is_multipart() const { return content_type.value.rfind("multipart/", 0) == 0; }

bool Part::is_message() const {
  return content_type.value == "message/rfc822" || content_type.value == "message/global";
}

bool Part::is_attachment() const { return disposition.value == "attachment"; }

std::string Part::filename() const {
  if (const std::string* name = disposition.param("filename"); name && !name->empty()) return *name;
  if (const std::string* name = content_type.param("name"); name && !name->empty()) return *name;
  return {};
}

namespace {

// Whether s[pos...] starts with a header field's name and colon (RFC 5322
// 3.6.8: printable ASCII but ':'; obsolete blanks before the colon).
bool starts_field(std::string_view s, size_t pos) {
  size_t i = pos;
  while (i < s.size() && s[i] > ' ' && s[i] < 0x7F && s[i] != ':') ++i;
  if (i == pos) return false;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return i < s.size() && s[i] == ':';
}

// Empty lines before the header, which some software writes and the mail
// libraries read past: skipped, with a defect, when a header field
// follows them (else the message has no header, and the empty line says
// so).
size_t skip_empty_lines(std::string_view s, size_t pos, std::vector<std::string>& defects) {
  size_t i = pos;
  while (i < s.size() && s[i] == '\n') ++i;
  if (i == pos || !starts_field(s, i)) return pos;
  size_t n = i - pos;
  defects.push_back(std::to_string(n) + (n == 1 ? " empty line" : " empty lines") + " before the header skipped");
  return i;
}

}  // namespace

Message parse_message(std::string data, const Limits& limits) {
  Message m;
  m.original_size = data.size();
  m.data = std::move(data);
  normalize_line_ends(m.data, m.defects);
  std::string_view s = m.data;
  size_t begin = skip_empty_lines(s, 0, m.defects);
  // An mbox From_ line before the header (mailsplit --stdout, formail):
  // the envelope sender, not a header field.
  if (s.compare(begin, 5, "From ") == 0) {
    size_t eol = line_end(s, begin, s.size());
    std::string_view rest = s.substr(begin + 5, eol - begin - 5);
    m.envelope_sender = std::string(rest.substr(0, rest.find(' ')));
    begin = skip_empty_lines(s, eol < s.size() ? eol + 1 : eol, m.defects);
  }
  m.root.number = "1";
  Walker(m, limits).entity(m.root, begin, s.size(), 0, "text/plain");
  m.has_header = !m.root.headers.empty();
  return m;
}

namespace {

// An output iterator for mimetic's codecs that writes through a pointer
// the caller keeps (the codecs take their iterator by value).
struct RawWriter {
  using iterator_category = std::output_iterator_tag;
  using value_type = void;
  using difference_type = std::ptrdiff_t;
  using pointer = void;
  using reference = void;
  char** next;
  RawWriter& operator*() { return *this; }
  RawWriter& operator=(unsigned char c) {
    *(*next)++ = static_cast<char>(c);
    return *this;
  }
  RawWriter& operator++() { return *this; }
  RawWriter operator++(int) { return *this; }
};

// Whether a body declared base64 is plain text instead (a broken mailer's
// label): base64 has no blank between two letters of a line (RFC 2045
// 6.8), while most lines of text do. Asked only once decoding found bytes
// outside the alphabet.
bool is_plain_text(std::string_view body) {
  size_t lines = 0, with_blank = 0;
  util::for_each_line(body, [&](std::string_view line) {
    size_t first = line.find_first_not_of(" \t\r"), last = line.find_last_not_of(" \t\r");
    if (first == std::string_view::npos) return;
    ++lines;
    std::string_view inner = line.substr(first, last - first + 1);
    if (inner.find_first_of(" \t") != std::string_view::npos) ++with_blank;
  });
  return lines > 0 && with_blank * 2 >= lines;
}

}  // namespace

std::string decode_body(const Message& message, const Part& part, std::vector<std::string>* defects) {
  std::string_view body = message.body(part);
  std::string out;
  if (part.encoding == "base64") {
    bool bad = false;
    out = decode_base64(body, bad);
    if (bad && part.type().compare(0, 5, "text/") == 0 && is_plain_text(body)) {
      if (defects) defects->push_back("part " + part.number + ": declared base64 but plain text; taken as it is");
      return std::string(body);
    }
    if (bad && defects) defects->push_back("part " + part.number + ": bad base64");
  } else if (part.encoding == "quoted-printable") {
    // A soft line break that ends the body stands for nothing (RFC 2045
    // 6.7 (5)), but mimetic's decoder, flushed with "=" pending, writes the
    // '=': so it is cut off here. (A part of a multipart ends without its
    // last line end, which belongs to the delimiter.)
    size_t k = body.size();
    if (k > 0 && body[k - 1] == '\n') --k;
    while (k > 0 && is_wsp(body[k - 1])) --k;
    if (k > 0 && body[k - 1] == '=') body = body.substr(0, k - 1);
    // Blanks at the end of a line are transport padding to be dropped, the
    // line break kept (RFC 2045 6.7 (3)); mimetic takes such a line for a
    // soft break and joins it to the next. So they are dropped here first
    // (a line that ends "=  " keeps its '=': that is a soft break).
    std::string unpadded;
    // Found by looking before each line end (memchr for '\n'), not for
    // each blank, which text is full of.
    bool padded = !body.empty() && is_wsp(body.back());  // the last line, without its end
    for (const char* nl = body.data(); !padded;) {
      nl = static_cast<const char*>(std::memchr(nl, '\n', static_cast<size_t>(body.data() + body.size() - nl)));
      if (!nl) break;
      padded = nl > body.data() && is_wsp(nl[-1]);
      ++nl;
    }
    if (padded) {
      unpadded.reserve(body.size());
      size_t line = 0;
      for (size_t i = 0; i <= body.size(); ++i) {
        if (i < body.size() && body[i] != '\n') continue;
        size_t stop = i;
        while (stop > line && is_wsp(body[stop - 1])) --stop;
        unpadded.append(body.substr(line, stop - line));
        if (i < body.size()) unpadded += '\n';
        line = i + 1;
      }
      body = unpadded;
    }
    // Decoded into a buffer of the largest size it can need, through a
    // plain pointer: mimetic's codec writes a byte at a time, and a
    // back_inserter costs a capacity check for each.
    out.resize(body.size());
    char* end = out.data();
    RawWriter writer{&end};
    mimetic::QP::Decoder decoder;
    // mimetic's decoder takes a byte at a time through a state machine, yet
    // most of quoted-printable text is bytes that stand for themselves,
    // blanks between them and "=XX" octets. Once the decoder has taken a
    // byte of the first kind that is no hex digit it is in its plain state
    // (whatever came before: "=", "=A", a blank or a line end), and from
    // there it writes such bytes as they are, writes blanks when something
    // other than a line end follows them, decodes "=XX" to one byte, and
    // takes a line end or a soft line break ("=\n") that more text
    // follows (no CR, which would make it a pair), coming back to the same
    // state each time. So those are done here while it is known to be in
    // that state; it still sees every control character and CR, '=' not
    // followed by two hex digits or a line end, the blanks before a line
    // end, and the end of the text.
    auto plain = [](char c) { return static_cast<unsigned char>(c) > ' ' && c != '='; };
    auto blank = [](char c) { return c == ' ' || c == '\t'; };
    auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); };
    auto hex_value = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    const size_t n = body.size();
    bool in_plain_state = false;
    for (size_t i = 0; i < n;) {
      if (in_plain_state) {
        // Eight bytes at a time while they are plain or spaces, without '='
        // or a control character, and do not end in a space (whose run a
        // line end may follow).
        if (i + 8 < n) {
          constexpr std::uint64_t ones = 0x0101010101010101, highs = 0x8080808080808080;
          std::uint64_t w;
          std::memcpy(&w, body.data() + i, 8);
          std::uint64_t eq = w ^ (ones * '=');
          bool has_eq = ((eq - ones) & ~eq & highs) != 0;
          bool has_control = ((w - ones * 0x20) & ~w & highs) != 0;
          if (!has_eq && !has_control && body[i + 7] != ' ') {
            std::memcpy(end, body.data() + i, 8);
            end += 8;
            i += 8;
            continue;
          }
        }
        char c = body[i];
        if (plain(c)) {
          *end++ = c;
          ++i;
          continue;
        }
        if (blank(c)) {
          size_t after = i;
          while (after < n && blank(body[after])) ++after;
          if (after < n && body[after] != '\n' && body[after] != '\r') {
            std::memcpy(end, body.data() + i, after - i);
            end += after - i;
            i = after;
            continue;
          }
        } else if (c == '=' && i + 2 < n && hex(body[i + 1]) && hex(body[i + 2])) {
          *end++ = static_cast<char>(hex_value(body[i + 1]) << 4 | hex_value(body[i + 2]));
          i += 3;
          continue;
        } else if (c == '\n' && i + 1 < n && body[i + 1] != '\r') {
          *end++ = '\n';  // a line end: written when the next line begins
          ++i;
          continue;
        } else if (c == '=' && i + 2 < n && body[i + 1] == '\n' && body[i + 2] != '\r') {
          i += 2;  // a soft line break: nothing
          continue;
        }
      }
      char c = body[i++];
      decoder.process(static_cast<unsigned char>(c), writer);
      in_plain_state = plain(c) && !hex(c);
    }
    decoder.flush(writer);
    out.resize(static_cast<size_t>(end - out.data()));
  } else {
    if (part.encoding != "7bit" && part.encoding != "8bit" && part.encoding != "binary" && defects)
      defects->push_back("part " + part.number + ": unknown transfer encoding \"" + part.encoding + "\"");
    out.assign(body);
  }
  return out;
}

const Part* find_part(const Part& root, std::string_view number) {
  if (root.number == number) return &root;
  for (const auto& child : root.children) {
    std::string_view prefix = child.number;
    if (number == prefix ||
        (number.size() > prefix.size() && number.rfind(prefix, 0) == 0 && number[prefix.size()] == '.'))
      return find_part(child, number);
  }
  return nullptr;
}

}  // namespace forumgate::mime
