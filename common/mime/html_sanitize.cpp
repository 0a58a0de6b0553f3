#include "mime/html_sanitize.hpp"

#include "mime/html_escape.hpp"
#include "mime/html_gumbo.hpp"

namespace forumgate::mime::html {

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

namespace {

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

}  // namespace

std::string sanitize(const GumboNode* body) {
  if (!body) return {};
  Sanitizer sanitizer;
  const GumboVector& children = body->v.element.children;
  for (unsigned i = 0; i < children.length; ++i)
    walk(
        static_cast<const GumboNode*>(children.data[i]), [&](const GumboNode* n) { return sanitizer.enter(n); },
        [&](const GumboNode* n) { sanitizer.leave(n); });
  return std::move(sanitizer.result());
}

}  // namespace forumgate::mime::html
