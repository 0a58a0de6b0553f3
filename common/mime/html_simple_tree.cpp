#include "mime/html_simple_tree.hpp"

#include <algorithm>
#include <cstring>

#include "mime/header.hpp"
#include "mime/html_gumbo.hpp"
#include "util/text.hpp"

namespace forumgate::mime::html {

namespace {

constexpr std::size_t max_open = 200;       // well under bound_nesting's max_depth (html_gumbo.cpp)
constexpr std::size_t max_formatting = 12;  // and under its max_lingering
constexpr std::size_t max_attributes = 32;

enum class Kind { block, heading, list_item, formatting, phrase, void_element, rule, none };

Kind kind_of(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_P:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_UL: return Kind::block;
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6: return Kind::heading;
    case GUMBO_TAG_LI: return Kind::list_item;
    case GUMBO_TAG_A:
    case GUMBO_TAG_B:
    case GUMBO_TAG_BIG:
    case GUMBO_TAG_CODE:
    case GUMBO_TAG_EM:
    case GUMBO_TAG_FONT:
    case GUMBO_TAG_I:
    case GUMBO_TAG_S:
    case GUMBO_TAG_SMALL:
    case GUMBO_TAG_STRIKE:
    case GUMBO_TAG_STRONG:
    case GUMBO_TAG_TT:
    case GUMBO_TAG_U: return Kind::formatting;
    case GUMBO_TAG_SPAN:
    case GUMBO_TAG_SUB:
    case GUMBO_TAG_SUP:
    case GUMBO_TAG_Q:
    case GUMBO_TAG_CITE:
    case GUMBO_TAG_ABBR:
    case GUMBO_TAG_DEL:
    case GUMBO_TAG_INS:
    case GUMBO_TAG_KBD:
    case GUMBO_TAG_VAR:
    case GUMBO_TAG_SAMP:
    case GUMBO_TAG_DFN:
    case GUMBO_TAG_MARK: return Kind::phrase;
    case GUMBO_TAG_BR:
    case GUMBO_TAG_IMG: return Kind::void_element;
    case GUMBO_TAG_HR: return Kind::rule;
    default: return Kind::none;
  }
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The length of the UTF-8 sequence at s[i] if it is valid and its code
// point is neither a C1 control nor a non-character; else 0.
std::size_t code_point_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  const unsigned lead = byte(0);
  const std::size_t len = util::utf8_length(s, i);
  if (len == 0) return 0;
  if (lead == 0xC2 && byte(1) < 0xA0) return 0;                      // U+0080-U+009F: C1 controls
  if (lead == 0xEF && byte(1) == 0xBB && byte(2) == 0xBF) return 0;  // U+FEFF, a byte order mark
  // Non-characters: U+FDD0-U+FDEF and U+xFFFE, U+xFFFF.
  if (lead == 0xEF && byte(1) == 0xB7 && byte(2) >= 0x90 && byte(2) <= 0xAF) return 0;
  if (len >= 3 && byte(len - 2) == 0xBF && byte(len - 1) >= 0xBE &&
      (len == 3 ? lead == 0xEF : (byte(1) & 0x0F) == 0x0F))
    return 0;
  return len;
}

// The named references mail uses most, written with their ';' (without
// it, and for the others, HTML's longest-match rules apply: gumbo's job).
bool named_reference(std::string_view name, std::string& out) {
  struct Named {
    std::string_view name;
    char32_t cp;
  };
  static constexpr Named names[] = {
      {"amp", '&'},      {"lt", '<'},       {"gt", '>'},        {"quot", '"'},     {"apos", '\''},    {"nbsp", 0xA0},
      {"copy", 0xA9},    {"reg", 0xAE},     {"laquo", 0xAB},    {"raquo", 0xBB},   {"deg", 0xB0},     {"middot", 0xB7},
      {"agrave", 0xE0},  {"acirc", 0xE2},   {"auml", 0xE4},     {"ccedil", 0xE7},  {"egrave", 0xE8},  {"eacute", 0xE9},
      {"ecirc", 0xEA},   {"euml", 0xEB},    {"icirc", 0xEE},    {"iuml", 0xEF},    {"ocirc", 0xF4},   {"ouml", 0xF6},
      {"ugrave", 0xF9},  {"ucirc", 0xFB},   {"uuml", 0xFC},     {"szlig", 0xDF},   {"Eacute", 0xC9},  {"Agrave", 0xC0},
      {"Ccedil", 0xC7},  {"ndash", 0x2013}, {"mdash", 0x2014},  {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"ldquo", 0x201C},
      {"rdquo", 0x201D}, {"bull", 0x2022},  {"hellip", 0x2026}, {"euro", 0x20AC},  {"trade", 0x2122},
  };
  for (const auto& n : names)
    if (n.name == name) {
      util::append_utf8(out, n.cp);
      return true;
    }
  return false;
}

// "#233", "#xE9": only code points that need no replacement (none of
// the C0/C1 controls, surrogates or non-characters HTML remaps or flags).
bool numeric_reference(std::string_view name, std::string& out) {
  if (name.size() < 2 || name[0] != '#') return false;
  bool hex = name[1] == 'x' || name[1] == 'X';
  std::string_view digits = name.substr(hex ? 2 : 1);
  if (digits.empty() || digits.size() > 6) return false;
  char32_t cp = 0;
  for (char d : digits) {
    int v = is_digit(d)                   ? d - '0'
            : hex && d >= 'a' && d <= 'f' ? d - 'a' + 10
            : hex && d >= 'A' && d <= 'F' ? d - 'A' + 10
                                          : -1;
    if (v < 0) return false;
    cp = cp * (hex ? 16 : 10) + static_cast<char32_t>(v);
  }
  bool plain = (cp >= 0x20 && cp < 0x7F) || cp == '\n' || cp == '\t' || (cp >= 0xA0 && cp < 0xD800) ||
               (cp >= 0xE000 && cp < 0xFDD0) || (cp > 0xFDEF && cp <= 0xFFFD);
  if (!plain) return false;
  util::append_utf8(out, cp);
  return true;
}

// Text or an attribute value as gumbo reads it, or false when it holds
// what the shortcut leaves to gumbo: a character reference other than
// the named ones below (with their ';') and plain numeric ones, a
// control character, a C1 or non-character code point, invalid UTF-8.
bool decode(std::string_view in, std::string& out) {
  out.reserve(in.size());
  std::size_t run = 0;
  for (std::size_t i = 0; i < in.size();) {
    auto c = static_cast<unsigned char>(in[i]);
    if (c >= 0x20 && c < 0x7F && c != '&') {
      ++i;
      continue;
    }
    if (c == '\n' || c == '\t') {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      std::size_t n = code_point_length(in, i);
      if (n == 0) return false;
      i += n;
      continue;
    }
    if (c != '&') return false;
    // An '&' that no letter, digit or '#' follows starts no reference: it
    // is text ("Q&A", "a & b").
    char next = i + 1 < in.size() ? in[i + 1] : '\0';
    if (!is_letter(next) && !is_digit(next) && next != '#') {
      ++i;
      continue;
    }
    out.append(in.substr(run, i - run));
    std::size_t semi = in.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) return false;
    std::string_view name = in.substr(i + 1, semi - i - 1);
    if (!named_reference(name, out) && !numeric_reference(name, out)) return false;
    i = run = semi + 1;
  }
  out.append(in.substr(run));
  return true;
}

}  // namespace

bool SimpleTree::build(std::string_view html) {
  s_ = html;
  html_ = element(GUMBO_TAG_HTML, nullptr);
  open_ = {html_};
  for (pos_ = 0; pos_ < s_.size();) {
    bool ok = s_[pos_] == '<' ? markup() : text();
    if (!ok) return false;
  }
  if (!body_) open_body();
  for (auto& [node, children] : children_) {
    node->v.element.children.data = children.data();
    node->v.element.children.length = static_cast<unsigned>(children.size());
    node->v.element.children.capacity = static_cast<unsigned>(children.capacity());
  }
  for (auto& [node, attributes] : attributes_) {
    node->v.element.attributes.data = attributes.data();
    node->v.element.attributes.length = static_cast<unsigned>(attributes.size());
    node->v.element.attributes.capacity = static_cast<unsigned>(attributes.capacity());
  }
  return true;
}

// A new element, the last child of parent (none for the root).
SimpleTree::Open SimpleTree::element(GumboTag tag, const Open* parent) {
  GumboNode& n = nodes_.emplace_back();
  n.type = GUMBO_NODE_ELEMENT;
  n.v.element.tag = tag;
  n.v.element.tag_namespace = GUMBO_NAMESPACE_HTML;
  children_.emplace_back(&n, std::vector<void*>());
  if (parent) append(*parent, &n);
  return {&n, children_.size() - 1};
}

void SimpleTree::append(const Open& parent, GumboNode* child) {
  child->parent = parent.node;
  auto& list = children_[parent.children].second;
  child->index_within_parent = list.size();
  list.push_back(child);
}

void SimpleTree::open_body() {
  Open body = element(GUMBO_TAG_BODY, &html_);
  body_ = body.node;
  open_ = {html_, body};
  mode_ = Mode::in_body;
}

bool SimpleTree::is_open(GumboTag tag) const {
  return std::any_of(open_.begin(), open_.end(), [&](const Open& o) { return o.node->v.element.tag == tag; });
}

// Text up to the next '<', character references decoded; in the body a
// text node, before it only white space (else the body begins).
bool SimpleTree::text() {
  std::size_t end = s_.find('<', pos_);
  if (end == std::string_view::npos) end = s_.size();
  std::string t;
  if (!decode(s_.substr(pos_, end - pos_), t)) return false;
  pos_ = end;
  if (mode_ != Mode::in_body) {
    std::size_t content = 0;
    while (content < t.size() && is_space(t[content])) ++content;
    if (content == t.size()) {
      if (mode_ == Mode::after_body) add_text(std::move(t));
      return true;
    }
    if (mode_ == Mode::after_body) return false;
    t.erase(0, content);
    open_body();
  }
  add_text(std::move(t));
  return true;
}

void SimpleTree::add_text(std::string t) {
  if (t.empty()) return;
  bool space = std::all_of(t.begin(), t.end(), is_space);
  GumboNode& n = nodes_.emplace_back();
  n.type = space ? GUMBO_NODE_WHITESPACE : GUMBO_NODE_TEXT;
  n.v.text.text = strings_.emplace_back(std::move(t)).c_str();
  append(current(), &n);
}

bool SimpleTree::markup() {
  std::string_view rest = s_.substr(pos_);
  if (rest.starts_with("<!--")) {
    pos_ = comment_end(s_, pos_);
    return true;
  }
  if (rest.size() > 9 && iequals(rest.substr(0, 9), "<!doctype")) {
    if (seen_markup_) return false;
    seen_markup_ = true;
    pos_ = tag_end(s_, pos_);
    return true;
  }
  seen_markup_ = true;
  bool closing = rest.size() > 1 && rest[1] == '/';
  std::size_t i = pos_ + (closing ? 2 : 1);
  std::size_t name_start = i;
  if (i >= s_.size() || !is_letter(s_[i])) return false;
  while (i < s_.size() && (is_letter(s_[i]) || is_digit(s_[i]))) ++i;
  std::string name = to_lower(s_.substr(name_start, i - name_start));
  GumboTag tag = gumbo_tagn_enum(name.data(), static_cast<unsigned>(name.size()));
  if (tag == GUMBO_TAG_UNKNOWN) return false;
  if (closing) {
    while (i < s_.size() && is_space(s_[i])) ++i;
    if (i >= s_.size() || s_[i] != '>') return false;
    pos_ = i + 1;
    return end_tag(tag);
  }
  std::vector<void*> attributes;
  bool self_closing = false;
  for (;;) {
    bool spaced = false;
    while (i < s_.size() && is_space(s_[i])) {
      ++i;
      spaced = true;
    }
    if (i >= s_.size()) return false;
    if (s_[i] == '>') break;
    if (s_[i] == '/') {
      if (i + 1 >= s_.size() || s_[i + 1] != '>') return false;
      self_closing = true;
      ++i;
      break;
    }
    if (!spaced || !attribute(i, attributes)) return false;
  }
  pos_ = i + 1;
  return start_tag(tag, std::move(attributes), self_closing);
}

// name, name=value, name="value", name='value' at s_[i]; i moves past it.
bool SimpleTree::attribute(std::size_t& i, std::vector<void*>& out) {
  auto name_char = [](char c) { return is_letter(c) || is_digit(c) || c == '-' || c == '_' || c == ':' || c == '.'; };
  std::size_t start = i;
  while (i < s_.size() && name_char(s_[i])) ++i;
  if (i == start) return false;
  std::string name = to_lower(s_.substr(start, i - start));
  std::size_t j = i;
  while (j < s_.size() && is_space(s_[j])) ++j;
  std::string value;
  if (j < s_.size() && s_[j] == '=') {
    ++j;
    while (j < s_.size() && is_space(s_[j])) ++j;
    if (j >= s_.size()) return false;
    std::size_t begin, end;
    if (s_[j] == '"' || s_[j] == '\'') {
      begin = j + 1;
      end = s_.find(s_[j], begin);
      if (end == std::string_view::npos) return false;
      i = end + 1;
      // An attribute must be followed by white space, '/' or '>'.
      if (i < s_.size() && !is_space(s_[i]) && s_[i] != '>' && s_[i] != '/') return false;
    } else {
      begin = j;
      end = j;
      while (end < s_.size() && !is_space(s_[end]) && s_[end] != '>') {
        if (std::strchr("\"'<=`", s_[end])) return false;
        ++end;
      }
      if (end == begin) return false;
      i = end;
    }
    if (!decode(s_.substr(begin, end - begin), value)) return false;
  }
  // A tag with many attributes is left to gumbo: the check for a
  // duplicate is quadratic here (as it is in gumbo).
  if (out.size() >= max_attributes) return false;
  for (void* a : out)
    if (name == static_cast<GumboAttribute*>(a)->name) return true;  // the first one counts
  GumboAttribute& a = attributes_storage_.emplace_back();
  a.attr_namespace = GUMBO_ATTR_NAMESPACE_NONE;
  a.name = strings_.emplace_back(std::move(name)).c_str();
  a.value = strings_.emplace_back(std::move(value)).c_str();
  out.push_back(&a);
  return true;
}

bool SimpleTree::start_tag(GumboTag tag, std::vector<void*> attributes, bool self_closing) {
  if (mode_ != Mode::in_body) {
    switch (tag) {
      case GUMBO_TAG_HTML:
        if (mode_ != Mode::before_head || html_seen_ || head_seen_) return false;
        html_seen_ = true;
        return true;
      case GUMBO_TAG_HEAD:
        if (mode_ != Mode::before_head || head_seen_) return false;
        head_seen_ = true;
        mode_ = Mode::in_head;
        return !self_closing;
      case GUMBO_TAG_BODY:
        if (mode_ == Mode::after_body || self_closing) return false;
        open_body();
        return true;
      case GUMBO_TAG_META:
      case GUMBO_TAG_LINK: return mode_ == Mode::in_head;
      case GUMBO_TAG_TITLE:
      case GUMBO_TAG_STYLE: return mode_ == Mode::in_head && !self_closing && skip_raw_text(tag);
      default:
        if (mode_ == Mode::after_body) return false;
        open_body();  // the body begins, implied
    }
  }
  Kind kind = kind_of(tag);
  if (kind == Kind::none) return false;
  bool is_void = kind == Kind::void_element || kind == Kind::rule;
  if (self_closing && !is_void) return false;  // "<div/>" opens a div
  GumboTag now = current_tag();
  switch (kind) {
    case Kind::block:
    case Kind::rule:
      if (is_open(GUMBO_TAG_P)) return false;  // it would close the p
      break;
    case Kind::heading:
      if (is_open(GUMBO_TAG_P) || kind_of(now) == Kind::heading) return false;
      break;
    case Kind::list_item:
      if (is_open(GUMBO_TAG_P) || (now != GUMBO_TAG_UL && now != GUMBO_TAG_OL)) return false;
      break;
    case Kind::formatting:
      // An open one of the same kind would bring in the adoption agency
      // or the Noah's Ark clause.
      if (is_open(tag) || ++formatting_ > max_formatting) return false;
      break;
    default: break;
  }
  Open n = element(tag, &current());
  if (!attributes.empty()) attributes_.emplace_back(n.node, std::move(attributes));
  if (!is_void) {
    if (open_.size() >= max_open) return false;
    open_.push_back(n);
  }
  return true;
}

bool SimpleTree::end_tag(GumboTag tag) {
  if (mode_ == Mode::in_head) {
    if (tag != GUMBO_TAG_HEAD) return false;
    mode_ = Mode::after_head;
    return true;
  }
  if (tag == GUMBO_TAG_BODY || tag == GUMBO_TAG_HTML) {
    if (mode_ == Mode::after_body) return true;
    if (mode_ != Mode::in_body || open_.size() != 2) return false;
    mode_ = Mode::after_body;
    return true;
  }
  if (mode_ != Mode::in_body || open_.size() <= 2 || current_tag() != tag) return false;
  if (kind_of(tag) == Kind::formatting) --formatting_;
  open_.pop_back();
  return true;
}

// The text of a <title> or <style> in the head, up to its end tag.
bool SimpleTree::skip_raw_text(GumboTag tag) {
  std::string_view name = gumbo_normalized_tagname(tag);
  for (std::size_t at = s_.find("</", pos_); at != std::string_view::npos; at = s_.find("</", at + 2)) {
    if (at + 2 + name.size() > s_.size() || !iequals(s_.substr(at + 2, name.size()), name)) continue;
    std::size_t i = at + 2 + name.size();
    if (i < s_.size() && !is_space(s_[i]) && s_[i] != '>' && s_[i] != '/') continue;  // "</styles"
    while (i < s_.size() && is_space(s_[i])) ++i;
    if (i >= s_.size() || s_[i] != '>') return false;
    pos_ = i + 1;
    return true;
  }
  return false;
}

}  // namespace forumgate::mime::html
