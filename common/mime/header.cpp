#include "mime/header.hpp"

#include <algorithm>

namespace forumgate::mime {

namespace {
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

const std::string* find_field(const Headers& headers, std::string_view name) {
  for (const auto& field : headers)
    if (iequals(field.name, name)) return &field.value;
  return nullptr;
}

}  // namespace forumgate::mime
