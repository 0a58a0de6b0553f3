#include "mime/html.hpp"

#include <gumbo.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <deque>
#include <map>
#include <vector>

#include "mime/header.hpp"
#include "util/text.hpp"

namespace forumgate::mime {

namespace {

// ---------------------------------------------------------------------------
// Bounding what reaches gumbo.
//
// gumbo is linear on ordinary HTML but not on deep nesting: its scope checks
// walk the stack of open elements, so 100,000 nested <div> take minutes
// (10,000 take 0.2 s), and with error recording on, each error copies that
// stack (10,000 nested <div> used 780 MB). So errors are never recorded
// (max_errors = 0) and, before parsing, a linear pre-scan drops the start
// tags (and their end tags) that would nest deeper than max_depth. The
// pre-scan only approximates the tree builder; it cannot make the output
// unsafe, since whatever gumbo builds still goes through the allow-list.

constexpr std::size_t max_depth = 256;

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == ':';
}

bool in_list(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::any_of(names.begin(), names.end(), [&](std::string_view n) { return n == name; });
}

bool is_void(std::string_view name) {
  return in_list(name, {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                        "track", "wbr", "keygen", "frame", "image"});
}

// Elements whose content is text to their own end tag (not markup).
bool is_raw_text(std::string_view name) {
  return in_list(name, {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "plaintext"});
}

// An open one of these is closed by a new start tag of the same kind.
bool closes_sibling(std::string_view name) {
  return in_list(name, {"p", "li", "dt", "dd", "tr", "td", "th", "option", "a", "thead", "tbody", "tfoot"});
}

// Formatting elements live on in gumbo's list of active formatting elements
// after an ancestor closes them, and are reopened before the next text.
bool is_formatting(std::string_view name) {
  return in_list(name,
                 {"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"});
}

// The pre-scan must never take for a tag, comment or raw text what gumbo
// takes for markup, or markup could pass unbounded. So its regions end as
// early as gumbo's may: a tag at the first '>' (even inside a quoted value;
// the rest is then scanned as text), a comment at the first "-->" or "--!>"
// (or at once for "<!-->" and "<!--->"), raw text at the first "</name".

std::size_t tag_end(std::string_view html, std::size_t i) {
  std::size_t gt = html.find('>', i);
  return gt == std::string_view::npos ? html.size() : gt + 1;
}

// The first "-->" or "--!>" is found by walking the "--" in order: looking
// for each of the two to the end took time quadratic in the number of
// comments when the document has no "--!>" (100,000 comments: minutes).
std::size_t comment_end(std::string_view html, std::size_t i) {
  if (html.compare(i, 5, "<!-->") == 0) return i + 5;
  if (html.compare(i, 6, "<!--->") == 0) return i + 6;
  for (std::size_t at = html.find("--", i + 4); at != std::string_view::npos; at = html.find("--", at + 1)) {
    if (html.compare(at + 2, 1, ">") == 0) return at + 3;
    if (html.compare(at + 2, 2, "!>") == 0) return at + 4;
  }
  return html.size();
}

// Formatting elements closed by an ancestor stay in gumbo's list of active
// formatting elements and are all reopened before the next text (at most
// three alike: the "Noah's Ark" clause), so a few hundred of them make every
// later paragraph that deep. Formatting start tags are left out while
// max_lingering of them are open or lingering.
constexpr std::size_t max_lingering = 16;

class NestingBound {
 public:
  // Whether the start tag (named name, written tag) is kept.
  bool start(const std::string& name, std::string_view tag) {
    if (closes_sibling(name) && !open_.empty() && open_.back().name == name) open_.pop_back();
    if (open_.size() + lingering_ >= max_depth ||
        (is_formatting(name) && open_formatting_ + lingering_ >= max_lingering)) {
      ++dropped_[name];
      return false;
    }
    open_.push_back({name, std::string(tag)});
    if (is_formatting(name)) ++open_formatting_;
    return true;
  }

  // In <svg> and <math> no element has raw text (a <style> there is markup).
  bool in_foreign_content() const {
    return std::any_of(open_.begin(), open_.end(), [](const Open& e) { return e.name == "svg" || e.name == "math"; });
  }

  // Whether the end tag of name is kept.
  bool end(const std::string& name) {
    if (auto d = dropped_.find(name); d != dropped_.end() && d->second > 0) {
      --d->second;
      return false;
    }
    auto o = std::find_if(open_.rbegin(), open_.rend(), [&](const Open& e) { return e.name == name; });
    if (o != open_.rend()) {
      for (auto k = open_.rbegin(); k != o; ++k)
        if (is_formatting(k->name) && lingering_by_tag_[k->tag] < 3) {
          ++lingering_by_tag_[k->tag];
          ++lingering_;
        }
      open_formatting_ -= std::count_if(o.base() - 1, open_.end(), [](const Open& e) { return is_formatting(e.name); });
      open_.erase(std::next(o).base(), open_.end());
    } else if (is_formatting(name)) {
      for (auto& [tag, count] : lingering_by_tag_)
        if (count > 0 && tag_name_is(tag, name)) {
          --count;
          --lingering_;
          break;
        }
    }
    return true;
  }

 private:
  struct Open {
    std::string name, tag;
  };
  static bool tag_name_is(std::string_view tag, std::string_view name) {
    return tag.size() > name.size() && iequals(tag.substr(1, name.size()), name) && !is_name_char(tag[name.size() + 1]);
  }

  std::vector<Open> open_;
  std::map<std::string, std::size_t> dropped_;
  std::map<std::string, std::size_t> lingering_by_tag_;
  std::size_t lingering_ = 0;
  std::size_t open_formatting_ = 0;
};

std::string bound_nesting(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  NestingBound bound;
  std::size_t i = 0;
  while (i < html.size()) {
    std::size_t lt = html.find('<', i);
    if (lt == std::string_view::npos) {
      out.append(html.substr(i));
      break;
    }
    out.append(html.substr(i, lt - i));
    i = lt;
    if (html.compare(i, 4, "<!--") == 0) {
      std::size_t end = comment_end(html, i);
      out.append(html.substr(i, end - i));
      i = end;
      continue;
    }
    bool closing = i + 1 < html.size() && html[i + 1] == '/';
    std::size_t n = i + (closing ? 2 : 1);
    std::size_t name_end = n;
    while (name_end < html.size() && is_name_char(html[name_end])) ++name_end;
    if (name_end == n) {  // "<" not starting a tag: text (or <!DOCTYPE, <?...)
      out.push_back('<');
      ++i;
      continue;
    }
    std::string name = to_lower(html.substr(n, name_end - n));
    std::size_t end = tag_end(html, name_end);
    std::string_view tag = html.substr(i, end - i);
    i = end;
    bool self_closing = tag.size() >= 2 && tag[tag.size() - 2] == '/';
    bool keep = closing ? bound.end(name) : (is_void(name) || self_closing || bound.start(name, tag));
    if (keep) out.append(tag);
    if (!closing && is_raw_text(name) && !bound.in_foreign_content()) {  // its text, verbatim, to its end tag
      std::size_t close = i;
      while ((close = html.find("</", close)) != std::string_view::npos &&
             to_lower(html.substr(close + 2, name.size())) != name)
        close += 2;
      if (close == std::string_view::npos) close = html.size();
      if (keep) out.append(html.substr(i, close - i));
      i = close;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// A shortcut past gumbo for simple HTML.
//
// gumbo is most of the time mimeparse spends on a message with HTML, and
// most mail HTML is simple: elements well nested, closed in order, from a
// small set whose HTML5 tree-building rules are "insert and push" (WHATWG
// HTML 13.2.6.4.7, "in body"). For such input the tree is the token
// structure itself, so it is built here directly, as GumboNodes the walkers
// below read as they read gumbo's. Whatever falls outside the subset (an
// element closed out of order or implicitly, a table, a <pre>, a named
// character reference other than the common ones below, a control character,
// invalid UTF-8, ...) makes build() return false and gumbo parse it all.
// tests/unit/html_test.cpp compares both ways on generated documents.

class SimpleTree {
 public:
  SimpleTree() = default;
  SimpleTree(const SimpleTree&) = delete;
  SimpleTree& operator=(const SimpleTree&) = delete;

  bool build(std::string_view html) {
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

  const GumboNode* body() const { return body_; }

 private:
  enum class Mode { before_head, in_head, after_head, in_body, after_body };
  enum class Kind { block, heading, list_item, formatting, phrase, void_element, rule, none };

  static constexpr std::size_t max_open = 200;       // well under bound_nesting's max_depth
  static constexpr std::size_t max_formatting = 12;  // and under its max_lingering
  static constexpr std::size_t max_attributes = 32;

  static Kind kind_of(GumboTag tag) {
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

  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n'; }
  static bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  // An element, and the index of its list of children in children_.
  struct Open {
    GumboNode* node;
    std::size_t children;
  };

  // A new element, the last child of parent (none for the root).
  Open element(GumboTag tag, const Open* parent) {
    GumboNode& n = nodes_.emplace_back();
    n.type = GUMBO_NODE_ELEMENT;
    n.v.element.tag = tag;
    n.v.element.tag_namespace = GUMBO_NAMESPACE_HTML;
    children_.emplace_back(&n, std::vector<void*>());
    if (parent) append(*parent, &n);
    return {&n, children_.size() - 1};
  }

  void append(const Open& parent, GumboNode* child) {
    child->parent = parent.node;
    auto& list = children_[parent.children].second;
    child->index_within_parent = list.size();
    list.push_back(child);
  }

  void open_body() {
    Open body = element(GUMBO_TAG_BODY, &html_);
    body_ = body.node;
    open_ = {html_, body};
    mode_ = Mode::in_body;
  }

  const Open& current() const { return open_.back(); }
  GumboTag current_tag() const { return open_.back().node->v.element.tag; }

  bool is_open(GumboTag tag) const {
    return std::any_of(open_.begin(), open_.end(), [&](const Open& o) { return o.node->v.element.tag == tag; });
  }

  // Text up to the next '<', character references decoded; in the body a
  // text node, before it only white space (else the body begins).
  bool text() {
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

  void add_text(std::string t) {
    if (t.empty()) return;
    bool space = std::all_of(t.begin(), t.end(), is_space);
    GumboNode& n = nodes_.emplace_back();
    n.type = space ? GUMBO_NODE_WHITESPACE : GUMBO_NODE_TEXT;
    n.v.text.text = strings_.emplace_back(std::move(t)).c_str();
    append(current(), &n);
  }

  // Text or an attribute value as gumbo reads it, or false when it holds
  // what the shortcut leaves to gumbo: a character reference other than
  // the named ones below (with their ';') and plain numeric ones, a
  // control character, a C1 or non-character code point, invalid UTF-8.
  static bool decode(std::string_view in, std::string& out) {
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

  // The named references mail uses most, written with their ';' (without
  // it, and for the others, HTML's longest-match rules apply: gumbo's job).
  static bool named_reference(std::string_view name, std::string& out) {
    struct Named {
      std::string_view name;
      char32_t cp;
    };
    static constexpr Named names[] = {
        {"amp", '&'},      {"lt", '<'},       {"gt", '>'},       {"quot", '"'},      {"apos", '\''},
        {"nbsp", 0xA0},    {"copy", 0xA9},    {"reg", 0xAE},     {"laquo", 0xAB},    {"raquo", 0xBB},
        {"deg", 0xB0},     {"middot", 0xB7},  {"agrave", 0xE0},  {"acirc", 0xE2},    {"auml", 0xE4},
        {"ccedil", 0xE7},  {"egrave", 0xE8},  {"eacute", 0xE9},  {"ecirc", 0xEA},    {"euml", 0xEB},
        {"icirc", 0xEE},   {"iuml", 0xEF},    {"ocirc", 0xF4},   {"ouml", 0xF6},     {"ugrave", 0xF9},
        {"ucirc", 0xFB},   {"uuml", 0xFC},    {"szlig", 0xDF},   {"Eacute", 0xC9},   {"Agrave", 0xC0},
        {"Ccedil", 0xC7},  {"ndash", 0x2013}, {"mdash", 0x2014}, {"lsquo", 0x2018},  {"rsquo", 0x2019},
        {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"bull", 0x2022},  {"hellip", 0x2026}, {"euro", 0x20AC},
        {"trade", 0x2122},
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
  static bool numeric_reference(std::string_view name, std::string& out) {
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

  // The length of the UTF-8 sequence at s[i] if it is valid and its code
  // point is neither a C1 control nor a non-character; else 0.
  static std::size_t code_point_length(std::string_view s, std::size_t i) {
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

  bool markup() {
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
  bool attribute(std::size_t& i, std::vector<void*>& out) {
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

  bool start_tag(GumboTag tag, std::vector<void*> attributes, bool self_closing) {
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

  bool end_tag(GumboTag tag) {
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
  bool skip_raw_text(GumboTag tag) {
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

  std::string_view s_;
  std::size_t pos_ = 0;
  Mode mode_ = Mode::before_head;
  bool html_seen_ = false, head_seen_ = false, seen_markup_ = false;
  std::size_t formatting_ = 0;
  Open html_{};
  GumboNode* body_ = nullptr;
  std::vector<Open> open_;
  std::deque<GumboNode> nodes_;
  std::deque<GumboAttribute> attributes_storage_;
  std::deque<std::string> strings_;
  std::vector<std::pair<GumboNode*, std::vector<void*>>> children_;
  std::vector<std::pair<GumboNode*, std::vector<void*>>> attributes_;
};

// Parsed by the shortcut when html is simple, else by gumbo.
class Parsed {
 public:
  explicit Parsed(std::string_view html, bool shortcut = true) {
    if (shortcut && simple_.build(html)) {
      body_ = simple_.body();
      return;
    }
    input_ = bound_nesting(html);
    options_.max_errors = 0;
    output_ = gumbo_parse_with_options(&options_, input_.data(), input_.size());
    const GumboVector& children = output_->root->v.element.children;
    for (unsigned i = 0; i < children.length; ++i) {
      auto* child = static_cast<const GumboNode*>(children.data[i]);
      if (child->type == GUMBO_NODE_ELEMENT && child->v.element.tag == GUMBO_TAG_BODY) body_ = child;
    }
  }
  ~Parsed() {
    if (output_) gumbo_destroy_output(&options_, output_);
  }
  Parsed(const Parsed&) = delete;
  Parsed& operator=(const Parsed&) = delete;

  const GumboNode* body() const { return body_; }

 private:
  SimpleTree simple_;
  GumboOptions options_ = kGumboDefaultOptions;
  std::string input_;
  GumboOutput* output_ = nullptr;
  const GumboNode* body_ = nullptr;
};

std::string_view tag_name(const GumboNode* node) {
  const GumboElement& e = node->v.element;
  if (e.tag != GUMBO_TAG_UNKNOWN) return gumbo_normalized_tagname(e.tag);
  return {};  // unknown elements: never allowed, and no special meaning
}

const char* attribute(const GumboNode* node, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&node->v.element.attributes, name);
  return a ? a->value : nullptr;
}

// Walks the tree without recursion: enter(node) for every node, and
// leave(node) for the elements whose children were walked (enter returned
// true). gumbo's trees can be as deep as its input is nested.
template <typename Enter, typename Leave>
void walk(const GumboNode* root, Enter enter, Leave leave) {
  struct Frame {
    const GumboNode* node;
    unsigned next;
  };
  std::vector<Frame> stack;
  if (root && enter(root)) stack.push_back({root, 0});
  while (!stack.empty()) {
    Frame& top = stack.back();
    const GumboVector& children = top.node->v.element.children;
    if (top.next == children.length) {
      const GumboNode* done = top.node;
      stack.pop_back();
      leave(done);
      continue;
    }
    auto* child = static_cast<const GumboNode*>(children.data[top.next++]);
    if (enter(child) && child->type == GUMBO_NODE_ELEMENT) stack.push_back({child, 0});
  }
}

// The scheme of a URL as a browser sees it: white space and control
// characters are removed first (browsers strip tabs and newlines anywhere
// in a URL), then letters are folded. Empty when there is no scheme.
std::string url_scheme(std::string_view url) {
  std::string scheme;
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) continue;
    if (c == ':') return scheme;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (!scheme.empty() && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return {};
    scheme.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return {};
}

bool is_safe_url(std::string_view url, bool image) {
  std::string scheme = url_scheme(url);
  return scheme == "http" || scheme == "https" || (!image && scheme == "mailto");
}

// The URL as written, without what browsers strip anyway: leading and
// trailing spaces and controls, tabs and newlines inside.
std::string clean_url(std::string_view url) {
  std::string out;
  for (char c : url)
    if (c != '\t' && c != '\n' && c != '\r') out.push_back(c);
  auto blank = [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; };
  while (!out.empty() && blank(out.back())) out.pop_back();
  std::size_t start = 0;
  while (start < out.size() && blank(out[start])) ++start;
  return out.substr(start);
}

// ---------------------------------------------------------------------------
// html_to_text

class TextWriter {
 public:
  // Inline text, white space collapsed as a browser does.
  void text(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
        space_ = true;
      } else if (s.compare(i, 2, "\xc2\xa0") == 0) {  // U+00A0 is not collapsed
        put(' ');
        ++i;
      } else {
        put(c);
      }
    }
  }

  // Preformatted text, kept as it is.
  void pre(std::string_view s) {
    for (char c : s) {
      if (c == '\n') {
        flush_breaks();
        hard_break();
      } else if (c != '\r') {
        space_ = false;
        put(c);
      }
    }
  }

  void line_break() {
    flush_breaks();
    hard_break();
  }
  // A block starts or ends: 1 = on a new line, 2 = after a blank line.
  void block(int lines) {
    if (out_.empty()) return;
    breaks_ = std::max(breaks_, lines);
    space_ = false;
  }

  void push_prefix(std::string first, std::string rest) {
    prefixes_.push_back({std::move(first), std::move(rest), false});
  }
  void pop_prefix() { prefixes_.pop_back(); }

  // A table cell separator, written only before the cell's first text.
  void cell() { cell_pending_ = true; }
  void row() { cell_pending_ = false; }

  std::size_t size() const { return out_.size(); }
  std::string_view since(std::size_t pos) const { return std::string_view(out_).substr(pos); }

  std::string finish();

 private:
  struct Prefix {
    std::string first, rest;
    bool used;
  };

  void hard_break() {
    out_.push_back('\n');
    line_start_ = true;
    space_ = false;
  }

  void flush_breaks() {
    if (breaks_ == 0) return;
    if (!line_start_) hard_break();
    if (breaks_ == 2) {
      write_prefix(true);
      hard_break();
    }
    breaks_ = 0;
  }

  void write_prefix(bool blank) {
    for (auto& p : prefixes_) {
      if (blank) {
        if (p.used) out_ += p.rest;
      } else {
        out_ += p.used ? p.rest : p.first;
        p.used = true;
      }
    }
  }

  void put(char c) {
    flush_breaks();
    if (line_start_) {
      write_prefix(false);
      line_start_ = false;
      space_ = false;
    }
    if (cell_pending_) {
      if (!row_empty()) out_ += " | ";
      cell_pending_ = false;
      space_ = false;
    }
    if (space_) out_.push_back(' ');
    space_ = false;
    out_.push_back(c);
  }

  bool row_empty() const { return out_.empty() || out_.back() == '\n' || line_start_; }

  std::string out_;
  std::vector<Prefix> prefixes_;
  int breaks_ = 0;
  bool space_ = false;
  bool line_start_ = true;
  bool cell_pending_ = false;
};

// Trailing blanks removed from each line, at most one blank line in a row
// (a line of only quote marks counts as blank), none at either end.
std::string TextWriter::finish() {
  std::string result;
  std::string pending;  // the blank line waiting for a non-blank one
  bool any = false;
  std::size_t pos = 0;
  while (pos <= out_.size()) {
    std::size_t nl = out_.find('\n', pos);
    if (nl == std::string::npos) nl = out_.size();
    std::string_view line = std::string_view(out_).substr(pos, nl - pos);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    bool blank = line.find_first_not_of("> ") == std::string_view::npos;
    if (blank) {
      if (any && pending.empty()) pending = std::string(line) + "\n";
    } else {
      result += pending;
      pending.clear();
      result.append(line);
      result.push_back('\n');
      any = true;
    }
    pos = nl + 1;
  }
  if (!result.empty()) result.pop_back();
  return result;
}

bool is_dropped(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_APPLET:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_MATH:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_NOEMBED:
    case GUMBO_TAG_FRAMESET:
    case GUMBO_TAG_INPUT: return true;
    default: return false;
  }
}

// 2: separated by a blank line; 1: on lines of its own; 0: inline.
int block_kind(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL: return 2;
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_HGROUP:
    case GUMBO_TAG_MENU:
    case GUMBO_TAG_DIR:
    case GUMBO_TAG_BODY: return 1;
    default: return 0;
  }
}

// "http://x.org/" and "x.org" are the same link text for the reader.
bool same_link(std::string_view text, std::string_view url) {
  auto strip = [](std::string_view s) {
    for (std::string_view scheme : {"mailto:", "http://", "https://"})
      if (s.size() >= scheme.size() && iequals(s.substr(0, scheme.size()), scheme)) s.remove_prefix(scheme.size());
    if (!s.empty() && s.back() == '/') s.remove_suffix(1);
    return s;
  };
  return strip(text) == strip(url);
}

struct ListState {
  bool ordered;
  long next;
};

class TextConverter {
 public:
  bool enter(const GumboNode* node) {
    switch (node->type) {
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_CDATA:
      case GUMBO_NODE_WHITESPACE:
        if (pre_depth_ > 0) out_.pre(node->v.text.text);
        else out_.text(node->v.text.text);
        return false;
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE: return open(node);
      default: return false;
    }
  }

  void leave(const GumboNode* node) {
    GumboTag tag = node->v.element.tag;
    switch (tag) {
      case GUMBO_TAG_PRE: --pre_depth_; break;
      case GUMBO_TAG_BLOCKQUOTE: out_.pop_prefix(); break;
      case GUMBO_TAG_UL:
      case GUMBO_TAG_OL: lists_.pop_back(); break;
      case GUMBO_TAG_LI:
        if (!lists_.empty()) out_.pop_prefix();
        break;
      case GUMBO_TAG_DD: out_.pop_prefix(); break;
      case GUMBO_TAG_A: end_link(); break;
      case GUMBO_TAG_TD:
      case GUMBO_TAG_TH: break;
      default: break;
    }
    int kind = block_kind(tag);
    if ((tag == GUMBO_TAG_UL || tag == GUMBO_TAG_OL) && !lists_.empty()) kind = 1;
    if (kind) out_.block(kind);
    if (tag == GUMBO_TAG_TR) out_.row();
  }

  std::string finish() { return out_.finish(); }

 private:
  bool open(const GumboNode* node) {
    GumboTag tag = node->v.element.tag;
    if (is_dropped(tag)) return false;
    int kind = block_kind(tag);
    if ((tag == GUMBO_TAG_UL || tag == GUMBO_TAG_OL) && !lists_.empty()) kind = 1;
    if (kind) out_.block(kind);
    switch (tag) {
      case GUMBO_TAG_BR: out_.line_break(); return false;
      case GUMBO_TAG_IMG:
        if (const char* alt = attribute(node, "alt")) out_.text(alt);
        return false;
      case GUMBO_TAG_PRE: ++pre_depth_; break;
      case GUMBO_TAG_BLOCKQUOTE: out_.push_prefix("> ", "> "); break;
      case GUMBO_TAG_UL:
      case GUMBO_TAG_OL: {
        long start = 1;
        if (const char* s = attribute(node, "start")) start = std::strtol(s, nullptr, 10);
        lists_.push_back({tag == GUMBO_TAG_OL, start});
        break;
      }
      case GUMBO_TAG_LI: {
        if (lists_.empty()) break;
        ListState& list = lists_.back();
        std::string marker = list.ordered ? std::to_string(list.next++) + ". " : "- ";
        std::string indent(marker.size(), ' ');
        out_.push_prefix(std::move(marker), std::move(indent));
        break;
      }
      case GUMBO_TAG_DD: out_.push_prefix("  ", "  "); break;
      case GUMBO_TAG_TD:
      case GUMBO_TAG_TH: out_.cell(); break;
      case GUMBO_TAG_A: links_.push_back({attribute(node, "href"), out_.size()}); break;
      default: break;
    }
    return true;
  }

  void end_link() {
    auto [href, start] = links_.back();
    links_.pop_back();
    if (!href) return;
    std::string url = clean_url(href);
    if (!is_safe_url(url, false) && url_scheme(url) != "ftp") return;
    std::string_view text = out_.since(start);
    while (!text.empty() && (text.front() == ' ' || text.front() == '\n')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\n')) text.remove_suffix(1);
    if (text.empty()) {
      out_.text(url);
    } else if (!same_link(text, url)) {
      out_.text(" <" + url + ">");
    }
  }

  TextWriter out_;
  std::vector<ListState> lists_;
  std::vector<std::pair<const char*, std::size_t>> links_;
  int pre_depth_ = 0;
};

// ---------------------------------------------------------------------------
// sanitize_html

// Runs of bytes that need no escape are appended whole: every text of a
// sanitized document passes here.
void escape(std::string& out, std::string_view s, bool attribute_value) {
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '&' && c != '<' && c != '>' && (c != '"' || !attribute_value)) continue;
    out.append(s.data() + run, i - run);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += "&quot;";
    }
    run = i + 1;
  }
  out.append(s.data() + run, s.size() - run);
}

// Elements dropped with everything inside them.
bool is_hostile(GumboTag tag) {
  return is_dropped(tag) || tag == GUMBO_TAG_FORM || tag == GUMBO_TAG_BUTTON || tag == GUMBO_TAG_BASE ||
         tag == GUMBO_TAG_LINK || tag == GUMBO_TAG_META || tag == GUMBO_TAG_FRAME || tag == GUMBO_TAG_PARAM ||
         tag == GUMBO_TAG_XMP || tag == GUMBO_TAG_PLAINTEXT;
}

bool is_allowed(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_B:
    case GUMBO_TAG_I:
    case GUMBO_TAG_U:
    case GUMBO_TAG_EM:
    case GUMBO_TAG_STRONG:
    case GUMBO_TAG_A:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_CODE:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_IMG:
    case GUMBO_TAG_SPAN:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_SUB:
    case GUMBO_TAG_SUP:
    case GUMBO_TAG_S:
    case GUMBO_TAG_STRIKE:
    case GUMBO_TAG_Q:
    case GUMBO_TAG_CITE:
    case GUMBO_TAG_ABBR:
    case GUMBO_TAG_DEL:
    case GUMBO_TAG_INS:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD: return true;
    default: return false;
  }
}

bool is_void(GumboTag tag) { return tag == GUMBO_TAG_BR || tag == GUMBO_TAG_HR || tag == GUMBO_TAG_IMG; }

void write_attribute(std::string& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += name;
  out += "=\"";
  escape(out, value, true);
  out += '"';
}

class Sanitizer {
 public:
  bool enter(const GumboNode* node) {
    switch (node->type) {
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_CDATA:
      case GUMBO_NODE_WHITESPACE: escape(out_, node->v.text.text, false); return false;
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE: break;
      default: return false;  // comments, document
    }
    if (node->v.element.tag_namespace != GUMBO_NAMESPACE_HTML) return false;  // svg, math
    GumboTag tag = node->v.element.tag;
    if (is_hostile(tag)) return false;
    if (!is_allowed(tag)) return true;  // its content stays, the element goes
    if (tag == GUMBO_TAG_IMG) {
      const char* src = attribute(node, "src");
      const char* alt = attribute(node, "alt");
      if (!src || !is_safe_url(src, true)) {
        if (alt) escape(out_, alt, false);
        return false;
      }
      out_ += "<img";
      write_attribute(out_, "src", clean_url(src));
      if (alt) write_attribute(out_, "alt", alt);
      out_ += '>';
      return false;
    }
    out_ += '<';
    out_ += tag_name(node);
    if (tag == GUMBO_TAG_A) {
      const char* href = attribute(node, "href");
      if (href && is_safe_url(href, false)) write_attribute(out_, "href", clean_url(href));
    }
    out_ += '>';
    return !is_void(tag);
  }

  void leave(const GumboNode* node) {
    GumboTag tag = node->v.element.tag;
    if (node->type == GUMBO_NODE_DOCUMENT || !is_allowed(tag) || is_void(tag)) return;
    out_ += "</";
    out_ += tag_name(node);
    out_ += '>';
  }

  std::string& result() { return out_; }

 private:
  std::string out_;
};

std::string to_text(const Parsed& parsed) {
  TextConverter converter;
  walk(
      parsed.body(), [&](const GumboNode* n) { return converter.enter(n); },
      [&](const GumboNode* n) { converter.leave(n); });
  return converter.finish();
}

std::string sanitized(const Parsed& parsed) {
  const GumboNode* body = parsed.body();
  if (!body) return {};
  Sanitizer sanitizer;
  const GumboVector& children = body->v.element.children;
  for (unsigned i = 0; i < children.length; ++i)
    walk(
        static_cast<const GumboNode*>(children.data[i]), [&](const GumboNode* n) { return sanitizer.enter(n); },
        [&](const GumboNode* n) { sanitizer.leave(n); });
  return std::move(sanitizer.result());
}

}  // namespace

std::string html_to_text(std::string_view html) { return to_text(Parsed(html)); }

std::string sanitize_html(std::string_view html) { return sanitized(Parsed(html)); }

TextAndSanitized html_to_text_and_sanitized(std::string_view html) {
  Parsed parsed(html);
  return {to_text(parsed), sanitized(parsed)};
}

namespace detail {

std::string html_to_text_gumbo(std::string_view html) { return to_text(Parsed(html, false)); }

std::string sanitize_html_gumbo(std::string_view html) { return sanitized(Parsed(html, false)); }

bool is_simple_html(std::string_view html) { return SimpleTree().build(html); }

}  // namespace detail

namespace {

// Where an http(s) URL that starts at i ends: at white space, '<', '>' or
// '"', without trailing punctuation (nor a ')' that opens nowhere in it).
std::size_t url_end(std::string_view text, std::size_t i) {
  std::size_t end = i;
  while (end < text.size() && !std::strchr(" \t\r\n<>\"", text[end])) ++end;
  while (end > i) {
    char c = text[end - 1];
    std::string_view url = text.substr(i, end - i);
    if (std::strchr(".,;:!?'", c) ||
        (c == ')' && std::count(url.begin(), url.end(), '(') < std::count(url.begin(), url.end(), ')')))
      --end;
    else break;
  }
  return end;
}

bool starts_url(std::string_view text, std::size_t i) {
  if (i > 0 && (std::isalnum(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == '/')) return false;
  for (std::string_view scheme : {"http://", "https://"})
    if (text.size() - i > scheme.size() && iequals(text.substr(i, scheme.size()), scheme))
      return url_end(text, i) > i + scheme.size();
  return false;
}

void paragraph_to_html(std::string& out, std::string_view para) {
  out += "<p>";
  for (std::size_t i = 0; i < para.size();) {
    if (para[i] == '\n') {
      out += "<br>\n";
      ++i;
    } else if (starts_url(para, i)) {
      std::size_t end = url_end(para, i);
      std::string_view url = para.substr(i, end - i);
      out += "<a href=\"";
      escape(out, url, true);
      out += "\">";
      escape(out, url, false);
      out += "</a>";
      i = end;
    } else {
      escape(out, para.substr(i, 1), false);
      ++i;
    }
  }
  out += "</p>\n";
}

}  // namespace

std::string text_to_html(std::string_view text) {
  std::string normalized;
  normalized.reserve(text.size());
  for (char c : text)
    if (c != '\r') normalized.push_back(c);
  std::string out;
  std::string_view rest = normalized;
  while (!rest.empty()) {
    // A paragraph ends at a line that is empty or only white space.
    std::size_t end = 0, pos = 0;
    for (;;) {
      std::size_t nl = rest.find('\n', pos);
      std::string_view line = rest.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
      if (line.find_first_not_of(" \t") == std::string_view::npos) break;
      end = nl == std::string_view::npos ? rest.size() : nl;
      if (nl == std::string_view::npos) break;
      pos = nl + 1;
    }
    if (end > 0) paragraph_to_html(out, rest.substr(0, end));
    std::size_t next = rest.find('\n', end);
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
  }
  if (!out.empty()) out.pop_back();
  return out;
}

std::string html_meta_charset(std::string_view html) {
  std::string head = to_lower(html.substr(0, 1024));
  for (size_t pos = head.find("<meta"); pos != std::string::npos; pos = head.find("<meta", pos + 5)) {
    size_t end = head.find('>', pos);
    std::string_view tag = std::string_view(head).substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    size_t at = tag.find("charset");
    if (at == std::string_view::npos) continue;
    at += 7;
    while (at < tag.size() && (tag[at] == ' ' || tag[at] == '\t')) ++at;
    if (at >= tag.size() || tag[at] != '=') continue;
    ++at;
    while (at < tag.size() && (tag[at] == ' ' || tag[at] == '\t' || tag[at] == '"' || tag[at] == '\'')) ++at;
    size_t stop = at;
    while (stop < tag.size() && (std::isalnum(static_cast<unsigned char>(tag[stop])) || tag[stop] == '-' ||
                                 tag[stop] == '_' || tag[stop] == ':' || tag[stop] == '.' || tag[stop] == '+'))
      ++stop;
    if (stop > at) return std::string(tag.substr(at, stop - at));
  }
  return {};
}

}  // namespace forumgate::mime
