#include "forum/route.hpp"

#include "forum/reply_key.hpp"
#include "mime/header.hpp"
#include "util/error.hpp"

namespace forumgate::forum {

std::string_view to_string(Action action) {
  switch (action) {
    case Action::post: return "post";
    case Action::subscribe: return "subscribe";
    case Action::unsubscribe: return "unsubscribe";
    case Action::confirm: return "confirm";
  }
  return "post";
}

std::optional<Action> parse_action(std::string_view name) {
  for (Action a : {Action::post, Action::subscribe, Action::unsubscribe, Action::confirm})
    if (mime::iequals(name, to_string(a))) return a;
  return std::nullopt;
}

bool valid_forum_name(std::string_view name) {
  if (name.empty() || name.size() > 32) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')) return false;
  return true;
}

AddressPattern::AddressPattern(const std::string& pattern) : pattern_(pattern) {
  auto at = pattern.find("{forum}");
  if (at == std::string::npos) throw Error(Exit::config, "address pattern \"" + pattern + "\" has no {forum}");
  // Our own mail's From and Reply-To are made of it.
  for (unsigned char c : pattern)
    if (c <= ' ' || c == 0x7f) throw Error(Exit::config, "the address pattern holds a space or a control character");
  prefix_ = mime::to_lower(pattern.substr(0, at));
  suffix_ = mime::to_lower(pattern.substr(at + 7));
}

std::string AddressPattern::address(std::string_view forum, std::string_view local_suffix) const {
  auto at = pattern_.find("{forum}");
  std::string suffix = pattern_.substr(at + 7);
  if (suffix == "@") suffix.clear();
  return pattern_.substr(0, at) + std::string(forum) + std::string(local_suffix) + suffix;
}

std::optional<Route> AddressPattern::match(std::string_view address) const {
  std::string a = mime::to_lower(address);
  if (a.size() < prefix_.size() + suffix_.size() || a.compare(0, prefix_.size(), prefix_) != 0) return std::nullopt;
  std::string middle;
  if (!suffix_.empty() && suffix_.back() == '@' && suffix_.size() == 1) {
    auto at = a.rfind('@');
    if (at == std::string::npos || at < prefix_.size()) return std::nullopt;
    middle = a.substr(prefix_.size(), at - prefix_.size());
  } else {
    if (a.compare(a.size() - suffix_.size(), suffix_.size(), suffix_) != 0) return std::nullopt;
    middle = a.substr(prefix_.size(), a.size() - prefix_.size() - suffix_.size());
  }
  Route route;
  route.forum = middle;
  // "forum+r42.KEY": a reply key after the forum's name.
  if (size_t plus = middle.rfind('+'); plus != std::string::npos && looks_like_reply_key(middle.substr(plus))) {
    route.forum = middle.substr(0, plus);
    route.reply_key = middle.substr(plus);
    if (!valid_forum_name(route.forum)) return std::nullopt;
    return route;
  }
  // "forum-subscribe", "forum+confirm-TOKEN": the action after the last
  // '-' or '+' that is followed by one (forum names may hold '-').
  for (size_t i = middle.size(); i-- > 0;) {
    if (middle[i] != '-' && middle[i] != '+') continue;
    std::string_view rest = std::string_view(middle).substr(i + 1);
    std::string_view name = rest.substr(0, rest.find('-'));
    auto action = parse_action(name);
    if (!action || *action == Action::post) continue;
    if (*action == Action::confirm) {
      if (rest.size() <= name.size() + 1) continue;
      route.token = std::string(rest.substr(name.size() + 1));
    } else if (name.size() != rest.size()) {
      continue;
    }
    route.forum = middle.substr(0, i);
    route.action = *action;
    break;
  }
  if (!valid_forum_name(route.forum)) return std::nullopt;
  return route;
}

}  // namespace forumgate::forum
