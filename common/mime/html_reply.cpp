#include "mime/html_reply.hpp"

#include <gumbo.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "mime/reply_markers.hpp"

namespace forumgate::mime {

namespace {

// What an element is in a reply, by the class, id or attributes its client
// gives it.
enum class Role {
  none,
  container,      // holds attribution and quote, and may hold answers (div.gmail_quote)
  attribution,    // "On ... wrote:" (div.gmail_attr, div.moz-cite-prefix)
  quote_if_last,  // a quote, cut when no text follows it
  quote_to_end,   // the quoted message starts here and runs to the end
  signature,
  forward,  // a forwarded message: text
};

// The words a client writes in the attributes it marks its parts with.
constexpr std::string_view needles[] = {
    "gmail_",
    "divRplyFwdMsg",
    "appendonsend",
    "border-top",
    "cite",
    "moz-",
    "yahoo_quoted",
    "ymail_android",
    "protonmail_",
    "zwchr",
    "__QUOTED_",
    "__SIG_PRE__",
    "Signature",
    "OutlookMessageHeader",
    "mail-editor-reference-message-container",
    "OLK_SRC_BODY_SECTION",
    "zmail_extra",
};

// Whether a start tag with attributes holds one of the needles: one pass
// over the HTML, the needles looked for only inside such tags (most mail
// HTML has none, and this is on the path of every HTML body).
bool has_client_marker(std::string_view html) {
  for (std::size_t i = html.find('<'); i != std::string_view::npos; i = html.find('<', i + 1)) {
    std::size_t end = html.find('>', i);
    if (end == std::string_view::npos) end = html.size();
    std::string_view tag = html.substr(i, end - i);
    if (tag.find(' ') == std::string_view::npos) continue;
    for (std::string_view w : needles)
      if (tag.find(w) != std::string_view::npos) return true;
    if (end == html.size()) break;
  }
  return false;
}

// Deeper than this, gumbo's scope checks make parsing slow (see html.cpp);
// such HTML keeps its quote here, and html_to_text bounds it.
constexpr std::size_t max_depth = 1000;

bool is_void(std::string_view name) {
  for (std::string_view v :
       {"br", "hr", "img", "meta", "link", "input", "wbr", "area", "base", "col", "embed", "param", "source", "track"})
    if (name.size() == v.size() &&
        std::equal(name.begin(), name.end(), v.begin(), [](char a, char b) { return (a | 0x20) == b; }))
      return true;
  return false;
}

// An upper bound on how deep the elements nest: start tags less end tags.
bool nests_too_deep(std::string_view html) {
  std::size_t depth = 0;
  for (std::size_t i = html.find('<'); i != std::string_view::npos && i + 1 < html.size(); i = html.find('<', i + 1)) {
    bool end = html[i + 1] == '/';
    std::size_t name = i + (end ? 2 : 1), stop = name;
    while (stop < html.size() && ((html[stop] | 0x20) >= 'a' && (html[stop] | 0x20) <= 'z')) ++stop;
    if (stop == name || is_void(html.substr(name, stop - name))) continue;
    if (end) depth -= depth > 0 ? 1 : 0;
    else if (++depth > max_depth) return true;
  }
  return false;
}

std::string_view attribute(const GumboNode* n, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&n->v.element.attributes, name);
  return a ? std::string_view(a->value) : std::string_view();
}

bool has_class(std::string_view classes, std::string_view name) {
  std::size_t i = 0;
  while (i < classes.size()) {
    std::size_t end = classes.find_first_of(" \t\n", i);
    if (end == std::string_view::npos) end = classes.size();
    if (classes.substr(i, end - i) == name) return true;
    i = end + 1;
  }
  return false;
}

bool is_element(const GumboNode* n) { return n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE; }

// The text of n, <br> as a line break, at most limit bytes (iteratively:
// the tree may be deep).
std::string text_of(const GumboNode* n, std::size_t limit = markers::max_marker_length) {
  std::string out;
  std::vector<const GumboNode*> stack{n};
  while (!stack.empty() && out.size() < limit) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE) {
      out += node->v.text.text;
    } else if (is_element(node)) {
      if (node->v.element.tag == GUMBO_TAG_BR) out += '\n';
      const GumboVector& children = node->v.element.children;
      for (unsigned i = children.length; i-- > 0;) stack.push_back(static_cast<const GumboNode*>(children.data[i]));
    }
  }
  return out;
}

std::string_view first_line(std::string_view text) {
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = markers::strip(text.substr(0, nl));
    if (!line.empty()) return line;
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return {};
}

const GumboNode* sibling(const GumboNode* n, int step) {
  if (!n->parent || !is_element(n->parent)) return nullptr;
  const GumboVector& children = n->parent->v.element.children;
  long i = static_cast<long>(n->index_within_parent) + step;
  if (i < 0 || i >= static_cast<long>(children.length)) return nullptr;
  return static_cast<const GumboNode*>(children.data[i]);
}

// The next or previous sibling that is not white space or a <br>.
const GumboNode* neighbour(const GumboNode* n, int step) {
  for (const GumboNode* s = sibling(n, step); s; s = sibling(s, step)) {
    if (s->type == GUMBO_NODE_WHITESPACE || s->type == GUMBO_NODE_COMMENT) continue;
    if (s->type == GUMBO_NODE_TEXT && markers::is_blank(s->v.text.text)) continue;
    if (is_element(s) && s->v.element.tag == GUMBO_TAG_BR) continue;
    return s;
  }
  return nullptr;
}

bool opens_header_block(const GumboNode* n) {
  auto role = markers::header_line(first_line(text_of(n)));
  return role && *role == patterns::HeaderRole::from;
}

Role classify(const GumboNode* n, std::string_view subject) {
  GumboTag tag = n->v.element.tag;
  std::string_view id = attribute(n, "id"), cls = attribute(n, "class"), marker = attribute(n, "data-marker");
  bool forward_subject = markers::is_forward_subject(subject);
  auto to_end = [&] { return forward_subject ? Role::forward : Role::quote_to_end; };
  if (id == "appendonsend" || id == "x_appendonsend" || id == "divRplyFwdMsg" || id == "x_divRplyFwdMsg" ||
      id == "OLK_SRC_BODY_SECTION" || id == "mail-editor-reference-message-container" ||
      has_class(cls, "OutlookMessageHeader") || (tag == GUMBO_TAG_HR && id == "zwchr") || marker == "__QUOTED_TEXT__")
    return to_end();
  if (has_class(cls, "gmail_signature") || has_class(cls, "gmail_signature_prefix") ||
      attribute(n, "data-smartmail") == "gmail_signature" || has_class(cls, "moz-signature") ||
      has_class(cls, "protonmail_signature_block") || has_class(cls, "ymail_android_signature") ||
      id == "ymail_android_signature" || id == "Signature" || id == "AppleMailSignature" ||
      id == "ms-outlook-mobile-signature" || marker == "__SIG_PRE__")
    return Role::signature;
  if (has_class(cls, "moz-forward-container")) return Role::forward;
  bool quote = (tag == GUMBO_TAG_BLOCKQUOTE && (has_class(cls, "gmail_quote") || attribute(n, "type") == "cite")) ||
               cls.find("yahoo_quoted") != std::string_view::npos ||
               id.find("yahoo_quoted") != std::string_view::npos || has_class(cls, "protonmail_quote") ||
               has_class(cls, "zmail_extra") || has_class(cls, "zmail_extra_hr");
  bool attribution = has_class(cls, "gmail_attr") || has_class(cls, "moz-cite-prefix");
  if (quote || attribution) {
    // "---------- Forwarded message ---------" in Gmail's attribution,
    // "Begin forwarded message:" above Apple Mail's quote.
    if (markers::is_forward_marker(first_line(text_of(n)))) return Role::forward;
    if (const GumboNode* before = neighbour(n, -1); before && markers::is_forward_marker(first_line(text_of(before))))
      return Role::forward;
    return quote ? Role::quote_if_last : Role::attribution;
  }
  if (has_class(cls, "gmail_quote") || has_class(cls, "gmail_extra") || has_class(cls, "gmail_quote_container"))
    return Role::container;
  if (tag == GUMBO_TAG_DIV) {
    // Word's header block: a top border above "From:".
    std::string style;
    for (char c : attribute(n, "style"))
      if (c != ' ') style += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    if (style.find("border-top:solid") != std::string::npos && opens_header_block(n)) return to_end();
  }
  if (tag == GUMBO_TAG_HR) {  // Outlook's rule above the header block
    const GumboNode* next = neighbour(n, 1);
    if (next && opens_header_block(next)) return to_end();
  }
  return Role::none;
}

enum class Dest { quoted, signature };

struct Cut {
  std::size_t from, to;
  Dest dest;
};

std::size_t start_of(const GumboNode* n) {
  return n->type == GUMBO_NODE_TEXT ? n->v.text.start_pos.offset : n->v.element.start_pos.offset;
}

std::size_t end_of(const GumboNode* n, std::size_t size) {
  if (n->type == GUMBO_NODE_TEXT) return n->v.text.start_pos.offset + n->v.text.original_text.length;
  const GumboElement& e = n->v.element;
  return std::min(size, e.end_pos.offset + e.original_end_tag.length);
}

bool explicit_tag(const GumboNode* n) { return is_element(n) && n->v.element.original_tag.length > 0; }

class Finder {
 public:
  Finder(std::string_view html, std::string_view subject) : html_(html), subject_(subject) {}

  HtmlReply run() {
    HtmlReply result;
    result.html = std::string(html_);
    if (!has_client_marker(html_) || nests_too_deep(html_)) return result;
    GumboOptions options = kGumboDefaultOptions;
    options.max_errors = 0;
    std::unique_ptr<GumboOutput, void (*)(GumboOutput*)> out(
        gumbo_parse_with_options(&options, html_.data(), html_.size()),
        [](GumboOutput* o) { gumbo_destroy_output(&kGumboDefaultOptions, o); });
    walk(out->root);
    result.found = found_;
    decide();
    if (cuts_.empty()) return result;
    assemble(result);
    return result;
  }

 private:
  void walk(const GumboNode* root) {
    std::vector<const GumboNode*> stack{root};
    while (!stack.empty()) {
      const GumboNode* n = stack.back();
      stack.pop_back();
      if (n->type == GUMBO_NODE_TEXT) {
        if (!markers::is_blank(n->v.text.text)) last_text_ = start_of(n);
        continue;
      }
      if (!is_element(n)) continue;
      GumboTag tag = n->v.element.tag;
      if (tag == GUMBO_TAG_HEAD || tag == GUMBO_TAG_SCRIPT || tag == GUMBO_TAG_STYLE || tag == GUMBO_TAG_TITLE)
        continue;
      // After a forward's start, all is the forwarded message: its quotes
      // and signature are its own.
      Role role = explicit_tag(n) && !forward_ ? classify(n, subject_) : Role::none;
      if (role != Role::none) found_ = true;
      if (role == Role::forward) forward_ = true;
      if (role == Role::quote_to_end) {
        const GumboNode* before = neighbour(n, -1);
        bool rule = before && is_element(before) && before->v.element.tag == GUMBO_TAG_HR && explicit_tag(before);
        to_end_ = start_of(rule ? before : n);
        return;  // all after it is the quoted message
      }
      if (role == Role::signature) {
        cuts_.push_back({start_of(n), end_of(n, html_.size()), Dest::signature});
        continue;
      }
      if (role == Role::attribution || role == Role::quote_if_last) {
        (role == Role::attribution ? attributions_ : quotes_).push_back(n);
        continue;
      }
      const GumboVector& children = n->v.element.children;
      for (unsigned i = children.length; i-- > 0;) stack.push_back(static_cast<const GumboNode*>(children.data[i]));
    }
  }

  void decide() {
    for (const GumboNode* a : attributions_) cuts_.push_back({start_of(a), end_of(a, html_.size()), Dest::quoted});
    for (const GumboNode* q : quotes_) {
      std::size_t from = start_of(q);
      if (last_text_ != npos && last_text_ > from) continue;  // answers follow it
      // An attribution just above it ("On ... wrote:" in a <div>, or
      // plain text) goes with it.
      if (const GumboNode* before = neighbour(q, -1);
          before && (before->type == GUMBO_NODE_TEXT || explicit_tag(before)) &&
          markers::attribution(first_line(text_of(before))) != markers::Attribution::none)
        from = start_of(before);
      cuts_.push_back({from, end_of(q, html_.size()), Dest::quoted});
    }
    if (to_end_ != npos) cuts_.push_back({to_end_, html_.size(), Dest::quoted});
    std::sort(cuts_.begin(), cuts_.end(), [](const Cut& a, const Cut& b) { return a.from < b.from; });
    std::vector<Cut> merged;
    for (const Cut& c : cuts_) {
      if (c.to <= c.from) continue;
      if (!merged.empty() && c.from < merged.back().to) {
        merged.back().to = std::max(merged.back().to, c.to);
        continue;
      }
      merged.push_back(c);
    }
    cuts_ = std::move(merged);
  }

  void assemble(HtmlReply& result) const {
    result.html.clear();
    std::size_t at = 0;
    for (const Cut& c : cuts_) {
      result.html.append(html_.substr(at, c.from - at));
      (c.dest == Dest::quoted ? result.quoted : result.signature).append(html_.substr(c.from, c.to - c.from));
      at = c.to;
    }
    result.html.append(html_.substr(at));
  }

  static constexpr std::size_t npos = std::string_view::npos;
  std::string_view html_;
  std::string_view subject_;
  bool found_ = false;
  bool forward_ = false;
  std::size_t last_text_ = npos;  // where the last of the author's text starts
  std::size_t to_end_ = npos;
  std::vector<const GumboNode*> attributions_, quotes_;
  std::vector<Cut> cuts_;
};

}  // namespace

HtmlReply split_html_reply(std::string_view html, std::string_view subject) { return Finder(html, subject).run(); }

}  // namespace forumgate::mime
