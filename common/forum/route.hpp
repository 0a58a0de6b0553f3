#pragma once
// Which forum, and which action, a recipient address stands for.
//
// An address pattern holds {forum}, e.g. "{forum}@forum.example.org" or
// "forum-{forum}@lists.example.org"; a pattern ending in "@" accepts any
// domain. What stands at {forum} is the forum's name, optionally followed by
// '-' or '+' and an action, as mailing list managers do:
//   linux@            post
//   linux-subscribe@  linux+subscribe@      subscribe
//   linux-unsubscribe@ linux+unsubscribe@   unsubscribe
//   linux-confirm-TOKEN@ linux+confirm-TOKEN@  confirm a (un)subscription
//   linux+r42.KEY@      post, a reply to post 42 if KEY verifies
//                       (forum/reply_key.hpp; the route carries it unverified)
// Matching ignores case; forum names are returned lower-case.

#include <optional>
#include <string>
#include <string_view>

namespace forumgate::forum {

enum class Action { post, subscribe, unsubscribe, confirm };

std::string_view to_string(Action action);
std::optional<Action> parse_action(std::string_view name);

struct Route {
  std::string forum;
  Action action = Action::post;
  std::string token;           // for confirm
  std::string reply_key = {};  // "+r42.KEY", unverified, for a post
};

class AddressPattern {
 public:
  // Error(78) when pattern has no {forum}.
  explicit AddressPattern(const std::string& pattern = "{forum}@");
  std::optional<Route> match(std::string_view address) const;
  const std::string& pattern() const { return pattern_; }
  // One of our own addresses, from the pattern alone: forum's, its local
  // part followed by local_suffix ("-confirm-TOKEN"), in the pattern's
  // domain. A pattern ending in "@" names no domain: the address is then
  // unqualified, for the local MTA to complete with its own (Postfix's
  // myorigin), never a domain a message named.
  std::string address(std::string_view forum, std::string_view local_suffix = "") const;

 private:
  std::string pattern_;
  std::string prefix_;
  std::string suffix_;
};

// Whether name can be a forum's name: 1 to 32 of a-z, 0-9, '_', '.', '-'.
bool valid_forum_name(std::string_view name);

}  // namespace forumgate::forum
