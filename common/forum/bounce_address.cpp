#include "forum/bounce_address.hpp"

#include "mime/header.hpp"
#include "util/error.hpp"

namespace forumgate::forum {
namespace {

std::string escaped(const std::string& literal) {
  std::string out;
  for (char c : literal) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string replaced(std::string s, const std::string& key, const std::string& value) {
  for (size_t pos = 0; (pos = s.find(key, pos)) != std::string::npos; pos += value.size())
    s.replace(pos, key.size(), value);
  return s;
}

}  // namespace

BounceAddress::BounceAddress(const std::string& pattern) : pattern_(pattern) {
  if (pattern.find("{forum}") == std::string::npos || pattern.find('@') == std::string::npos)
    throw Error(Exit::usage, "--bounce " + pattern + ": an address pattern with {forum}");
  bool local = pattern.find("{local}") != std::string::npos, domain = pattern.find("{domain}") != std::string::npos;
  if (local != domain) throw Error(Exit::usage, "--bounce " + pattern + ": {local} and {domain} go together");
  // The pattern as a regular expression, its placeholders as groups in
  // the order they come.
  std::string re = "^";
  std::size_t group = 0;
  for (std::size_t pos = 0; pos < pattern.size();) {
    std::size_t open = pattern.find('{', pos);
    std::size_t close = open == std::string::npos ? open : pattern.find('}', open);
    std::string name = close == std::string::npos ? "" : pattern.substr(open + 1, close - open - 1);
    if (name != "forum" && name != "local" && name != "domain") {
      std::size_t end = open == std::string::npos ? pattern.size() : open + 1;
      re += escaped(pattern.substr(pos, end - pos));
      pos = end;
      continue;
    }
    re += escaped(pattern.substr(pos, open - pos));
    ++group;
    if (name == "forum") forum_group_ = group, re += "([a-z0-9_.-]{1,32})";
    if (name == "local") local_group_ = group, re += "(.+)";
    if (name == "domain") domain_group_ = group, re += "([^@=]+)";
    pos = close + 1;
  }
  if (pattern.back() == '@') re += "[^@]+";
  regex_ = std::regex(re + "$", std::regex::icase);
}

std::string BounceAddress::make(const std::string& forum, const std::string& subscriber,
                                const std::string& domain) const {
  std::size_t at = subscriber.rfind('@');
  std::string a = replaced(pattern_, "{forum}", forum);
  a = replaced(a, "{local}", subscriber.substr(0, at));
  a = replaced(a, "{domain}", at == std::string::npos ? "" : subscriber.substr(at + 1));
  return a.back() == '@' ? a + domain : a;
}

std::optional<BounceTarget> BounceAddress::match(const std::string& address) const {
  std::smatch m;
  if (address.size() > 512 || !std::regex_match(address, m, regex_)) return std::nullopt;
  BounceTarget t;
  t.forum = mime::to_lower(m[forum_group_].str());
  if (local_group_) t.subscriber = m[local_group_].str() + "@" + m[domain_group_].str();
  return t;
}

}  // namespace forumgate::forum
