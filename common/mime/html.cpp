#include "mime/html.hpp"

#include <cctype>
#include <optional>

#include "mime/header.hpp"
#include "mime/html_gumbo.hpp"
#include "mime/html_sanitize.hpp"
#include "mime/html_simple_tree.hpp"
#include "mime/html_text.hpp"

namespace forumgate::mime {

namespace {

// Parsed by the shortcut when html is simple, else by gumbo.
class Parsed {
 public:
  explicit Parsed(std::string_view html, bool shortcut = true) {
    if (shortcut && simple_.build(html)) {
      body_ = simple_.body();
      return;
    }
    gumbo_.emplace(html);
    body_ = gumbo_->body();
  }

  const GumboNode* body() const { return body_; }

 private:
  html::SimpleTree simple_;
  std::optional<html::GumboDocument> gumbo_;
  const GumboNode* body_ = nullptr;
};

std::string to_text(const Parsed& parsed) { return html::to_text(parsed.body()); }

std::string sanitized(const Parsed& parsed) { return html::sanitize(parsed.body()); }

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

bool is_simple_html(std::string_view html) { return html::SimpleTree().build(html); }

}  // namespace detail

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
