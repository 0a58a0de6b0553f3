#include "mime/html.hpp"

#include <gumbo.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <vector>

#include "mime/header.hpp"

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
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == ':';
}

bool in_list(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::any_of(names.begin(), names.end(), [&](std::string_view n) { return n == name; });
}

bool is_void(std::string_view name) {
  return in_list(name, {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                        "param", "source", "track", "wbr", "keygen", "frame", "image"});
}

// Elements whose content is text to their own end tag (not markup).
bool is_raw_text(std::string_view name) {
  return in_list(name, {"script", "style", "textarea", "title", "xmp", "iframe", "noembed",
                        "noframes", "plaintext"});
}

// An open one of these is closed by a new start tag of the same kind.
bool closes_sibling(std::string_view name) {
  return in_list(name, {"p", "li", "dt", "dd", "tr", "td", "th", "option", "a", "thead", "tbody",
                        "tfoot"});
}

// Formatting elements live on in gumbo's list of active formatting elements
// after an ancestor closes them, and are reopened before the next text.
bool is_formatting(std::string_view name) {
  return in_list(name, {"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small",
                        "strike", "strong", "tt", "u"});
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

std::size_t comment_end(std::string_view html, std::size_t i) {
  if (html.compare(i, 5, "<!-->") == 0) return i + 5;
  if (html.compare(i, 6, "<!--->") == 0) return i + 6;
  std::size_t end = std::min(html.find("-->", i + 4), html.find("--!>", i + 4));
  if (end == std::string_view::npos) return html.size();
  return end + (html[end + 2] == '!' ? 4 : 3);
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
    return std::any_of(open_.begin(), open_.end(),
                       [](const Open& e) { return e.name == "svg" || e.name == "math"; });
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
      open_formatting_ -= std::count_if(o.base() - 1, open_.end(),
                                        [](const Open& e) { return is_formatting(e.name); });
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
    return tag.size() > name.size() && iequals(tag.substr(1, name.size()), name) &&
           !is_name_char(tag[name.size() + 1]);
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
    bool keep = closing ? bound.end(name)
                        : (is_void(name) || self_closing || bound.start(name, tag));
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

struct Parsed {
  GumboOptions options = kGumboDefaultOptions;
  std::string input;
  GumboOutput* output = nullptr;

  explicit Parsed(std::string_view html) : input(bound_nesting(html)) {
    options.max_errors = 0;
    output = gumbo_parse_with_options(&options, input.data(), input.size());
  }
  ~Parsed() { gumbo_destroy_output(&options, output); }
  Parsed(const Parsed&) = delete;
  Parsed& operator=(const Parsed&) = delete;

  const GumboNode* body() const {
    const GumboVector& children = output->root->v.element.children;
    for (unsigned i = 0; i < children.length; ++i) {
      auto* child = static_cast<const GumboNode*>(children.data[i]);
      if (child->type == GUMBO_NODE_ELEMENT && child->v.element.tag == GUMBO_TAG_BODY) return child;
    }
    return nullptr;
  }
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
    case GUMBO_TAG_HEAD: case GUMBO_TAG_TITLE: case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE:
    case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_OBJECT: case GUMBO_TAG_EMBED: case GUMBO_TAG_APPLET: case GUMBO_TAG_SVG:
    case GUMBO_TAG_MATH: case GUMBO_TAG_SELECT: case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_NOEMBED: case GUMBO_TAG_FRAMESET: case GUMBO_TAG_INPUT:
      return true;
    default:
      return false;
  }
}

// 2: separated by a blank line; 1: on lines of its own; 0: inline.
int block_kind(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4:
    case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_PRE: case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_TABLE: case GUMBO_TAG_HR: case GUMBO_TAG_DL: case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
      return 2;
    case GUMBO_TAG_DIV: case GUMBO_TAG_LI: case GUMBO_TAG_TR: case GUMBO_TAG_DT: case GUMBO_TAG_DD:
    case GUMBO_TAG_ADDRESS: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_ASIDE: case GUMBO_TAG_CENTER:
    case GUMBO_TAG_DETAILS: case GUMBO_TAG_FIELDSET: case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_FOOTER: case GUMBO_TAG_HEADER: case GUMBO_TAG_MAIN:
    case GUMBO_TAG_NAV: case GUMBO_TAG_SECTION: case GUMBO_TAG_SUMMARY: case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_HGROUP: case GUMBO_TAG_MENU: case GUMBO_TAG_DIR: case GUMBO_TAG_BODY:
      return 1;
    default:
      return 0;
  }
}

// "http://x.org/" and "x.org" are the same link text for the reader.
bool same_link(std::string_view text, std::string_view url) {
  auto strip = [](std::string_view s) {
    for (std::string_view scheme : {"mailto:", "http://", "https://"})
      if (s.size() >= scheme.size() && iequals(s.substr(0, scheme.size()), scheme))
        s.remove_prefix(scheme.size());
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
        if (pre_depth_ > 0)
          out_.pre(node->v.text.text);
        else
          out_.text(node->v.text.text);
        return false;
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE:
        return open(node);
      default:
        return false;
    }
  }

  void leave(const GumboNode* node) {
    GumboTag tag = node->v.element.tag;
    switch (tag) {
      case GUMBO_TAG_PRE: --pre_depth_; break;
      case GUMBO_TAG_BLOCKQUOTE: out_.pop_prefix(); break;
      case GUMBO_TAG_UL: case GUMBO_TAG_OL: lists_.pop_back(); break;
      case GUMBO_TAG_LI: if (!lists_.empty()) out_.pop_prefix(); break;
      case GUMBO_TAG_DD: out_.pop_prefix(); break;
      case GUMBO_TAG_A: end_link(); break;
      case GUMBO_TAG_TD: case GUMBO_TAG_TH: break;
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
      case GUMBO_TAG_BR:
        out_.line_break();
        return false;
      case GUMBO_TAG_IMG:
        if (const char* alt = attribute(node, "alt")) out_.text(alt);
        return false;
      case GUMBO_TAG_PRE:
        ++pre_depth_;
        break;
      case GUMBO_TAG_BLOCKQUOTE:
        out_.push_prefix("> ", "> ");
        break;
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
      case GUMBO_TAG_DD:
        out_.push_prefix("  ", "  ");
        break;
      case GUMBO_TAG_TD:
      case GUMBO_TAG_TH:
        out_.cell();
        break;
      case GUMBO_TAG_A:
        links_.push_back({attribute(node, "href"), out_.size()});
        break;
      default:
        break;
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

void escape(std::string& out, std::string_view s, bool attribute_value) {
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"':
        if (attribute_value) {
          out += "&quot;";
          break;
        }
        out.push_back(c);
        break;
      default: out.push_back(c);
    }
  }
}

// Elements dropped with everything inside them.
bool is_hostile(GumboTag tag) {
  return is_dropped(tag) || tag == GUMBO_TAG_FORM || tag == GUMBO_TAG_BUTTON ||
         tag == GUMBO_TAG_BASE || tag == GUMBO_TAG_LINK || tag == GUMBO_TAG_META ||
         tag == GUMBO_TAG_FRAME || tag == GUMBO_TAG_PARAM || tag == GUMBO_TAG_XMP ||
         tag == GUMBO_TAG_PLAINTEXT;
}

bool is_allowed(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P: case GUMBO_TAG_BR: case GUMBO_TAG_B: case GUMBO_TAG_I: case GUMBO_TAG_U:
    case GUMBO_TAG_EM: case GUMBO_TAG_STRONG: case GUMBO_TAG_A: case GUMBO_TAG_UL:
    case GUMBO_TAG_OL: case GUMBO_TAG_LI: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_PRE:
    case GUMBO_TAG_CODE: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
    case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_TABLE:
    case GUMBO_TAG_THEAD: case GUMBO_TAG_TBODY: case GUMBO_TAG_TR: case GUMBO_TAG_TD:
    case GUMBO_TAG_TH: case GUMBO_TAG_IMG: case GUMBO_TAG_SPAN: case GUMBO_TAG_DIV:
    case GUMBO_TAG_HR: case GUMBO_TAG_SUB: case GUMBO_TAG_SUP: case GUMBO_TAG_S:
    case GUMBO_TAG_STRIKE: case GUMBO_TAG_Q: case GUMBO_TAG_CITE: case GUMBO_TAG_ABBR:
    case GUMBO_TAG_DEL: case GUMBO_TAG_INS: case GUMBO_TAG_DL: case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
      return true;
    default:
      return false;
  }
}

bool is_void(GumboTag tag) {
  return tag == GUMBO_TAG_BR || tag == GUMBO_TAG_HR || tag == GUMBO_TAG_IMG;
}

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
      case GUMBO_NODE_WHITESPACE:
        escape(out_, node->v.text.text, false);
        return false;
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE:
        break;
      default:
        return false;  // comments, document
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

}  // namespace

std::string html_to_text(std::string_view html) {
  Parsed parsed(html);
  TextConverter converter;
  walk(
      parsed.body(), [&](const GumboNode* n) { return converter.enter(n); },
      [&](const GumboNode* n) { converter.leave(n); });
  return converter.finish();
}

std::string sanitize_html(std::string_view html) {
  Parsed parsed(html);
  const GumboNode* body = parsed.body();
  if (!body) return {};
  Sanitizer sanitizer;
  const GumboVector& children = body->v.element.children;
  for (unsigned i = 0; i < children.length; ++i)
    walk(
        static_cast<const GumboNode*>(children.data[i]),
        [&](const GumboNode* n) { return sanitizer.enter(n); },
        [&](const GumboNode* n) { sanitizer.leave(n); });
  return std::move(sanitizer.result());
}

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
    else
      break;
  }
  return end;
}

bool starts_url(std::string_view text, std::size_t i) {
  if (i > 0 && (std::isalnum(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == '/'))
    return false;
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
