#include "mime/inline_images.hpp"

#include "util/text.hpp"

namespace forumgate::mime {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool starts_with_i(std::string_view s, std::size_t at, std::string_view word) {
  if (s.size() - at < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i)
    if (lower(s[at + i]) != word[i]) return false;
  return true;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Where the tag that starts at s[at] ends (one past its '>'), quoted
// attribute values skipped; s.size() when it does not end.
std::size_t tag_end(std::string_view s, std::size_t at) {
  char quote = 0;
  for (std::size_t i = at + 1; i < s.size(); ++i) {
    if (quote) {
      if (s[i] == quote) quote = 0;
    } else if (s[i] == '"' || s[i] == '\'') {
      quote = s[i];
    } else if (s[i] == '>') {
      return i + 1;
    }
  }
  return s.size();
}

// The value of the src attribute in tag ("<img ...>"), or "".
std::string_view src_of(std::string_view tag) {
  for (std::size_t i = 4; i + 3 < tag.size(); ++i) {
    if (!is_blank(tag[i - 1]) || !starts_with_i(tag, i, "src")) continue;
    std::size_t j = i + 3;
    while (j < tag.size() && is_blank(tag[j])) ++j;
    if (j >= tag.size() || tag[j] != '=') continue;
    ++j;
    while (j < tag.size() && is_blank(tag[j])) ++j;
    if (j >= tag.size()) return {};
    if (tag[j] == '"' || tag[j] == '\'') {
      std::size_t close = tag.find(tag[j], j + 1);
      return close == std::string_view::npos ? std::string_view() : tag.substr(j + 1, close - j - 1);
    }
    std::size_t stop = j;
    while (stop < tag.size() && !is_blank(tag[stop]) && tag[stop] != '>') ++stop;
    return tag.substr(j, stop - j);
  }
  return {};
}

}  // namespace

std::string mark_cid_images(std::string_view html, const std::function<std::string(std::string_view id)>& words_for) {
  std::string out;
  std::size_t copied = 0;
  for (std::size_t i = html.find('<'); i != std::string_view::npos; i = html.find('<', i + 1)) {
    if (!starts_with_i(html, i + 1, "img") || i + 4 >= html.size() || !(is_blank(html[i + 4]) || html[i + 4] == '/'))
      continue;
    std::size_t end = tag_end(html, i);
    std::string_view src = src_of(html.substr(i, end - i));
    while (!src.empty() && is_blank(src.front())) src.remove_prefix(1);
    if (!starts_with_i(src, 0, "cid:")) {
      i = end - 1;
      continue;
    }
    std::string words = words_for(util::percent_decode(src.substr(4)));
    if (!words.empty()) {
      out.append(html.substr(copied, i - copied));
      out += words;
      copied = end;
    }
    if (end == html.size()) break;
    i = end - 1;
  }
  if (copied == 0) return std::string(html);
  out.append(html.substr(copied));
  return out;
}

}  // namespace forumgate::mime
