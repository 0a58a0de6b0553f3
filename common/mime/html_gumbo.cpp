#include "mime/html_gumbo.hpp"

#include <algorithm>
#include <initializer_list>
#include <map>

#include "mime/header.hpp"

namespace forumgate::mime::html {

namespace {

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

}  // namespace

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

GumboDocument::GumboDocument(std::string_view html) : input_(bound_nesting(html)) {
  options_.max_errors = 0;
  output_ = gumbo_parse_with_options(&options_, input_.data(), input_.size());
  const GumboVector& children = output_->root->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    auto* child = static_cast<const GumboNode*>(children.data[i]);
    if (child->type == GUMBO_NODE_ELEMENT && child->v.element.tag == GUMBO_TAG_BODY) body_ = child;
  }
}

GumboDocument::~GumboDocument() { gumbo_destroy_output(&options_, output_); }

}  // namespace forumgate::mime::html
