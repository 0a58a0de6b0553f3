#pragma once
// Small text helpers.

#include <string_view>
#include <vector>

namespace forumgate::util {

// The words of s, split at spaces and tabs.
inline std::vector<std::string_view> split_blanks(std::string_view s) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) words.push_back(s.substr(start, i - start));
  }
  return words;
}

}  // namespace forumgate::util
