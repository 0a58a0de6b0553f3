#include "mime/html_text.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "mime/header.hpp"
#include "mime/html_gumbo.hpp"
#include "mime/html_sanitize.hpp"

namespace forumgate::mime::html {

namespace {

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

}  // namespace

std::string to_text(const GumboNode* body) {
  TextConverter converter;
  walk(
      body, [&](const GumboNode* n) { return converter.enter(n); }, [&](const GumboNode* n) { converter.leave(n); });
  return converter.finish();
}

}  // namespace forumgate::mime::html
