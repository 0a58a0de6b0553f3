#include "forum/our_mail.hpp"

#include "util/error.hpp"

namespace forumgate::forum {

bool one_line(std::string_view value) {
  for (unsigned char c : value)
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  return true;
}

std::string as_one_line(std::string_view value) {
  std::string s(value);
  for (char& c : s)
    if (!one_line(std::string_view(&c, 1))) c = '?';
  return s;
}

bool well_formed_id(std::string_view id) {
  if (id.size() < 3 || id.size() > 998 || id.front() != '<' || id.back() != '>') return false;
  for (unsigned char c : id.substr(1, id.size() - 2))
    if (c <= ' ' || c >= 0x7f || c == '<' || c == '>') return false;
  return true;
}

bool sendable_address(std::string_view a) {
  if (a.empty() || a.size() > 254 || a.find('@') == std::string::npos || a.find('@') != a.rfind('@')) return false;
  for (unsigned char c : a)
    if (c <= ' ' || c == ',' || c == ';' || c == '<' || c == '>' || c == '"' || c == '(' || c == ')' || c == '\\' ||
        c == 127)
      return false;
  return true;
}

void OurMailHeader::add(std::string_view name, std::string_view value) {
  if (!one_line(name) || !one_line(value))
    throw Error(Exit::software, "a value for the " + std::string(name) + " field holds a line break or a control");
  text_.append(name).append(": ").append(value).push_back('\n');
}

void OurMailHeader::add_id(std::string_view name, std::string_view id) {
  if (well_formed_id(id)) add(name, id);
}

}  // namespace forumgate::forum
