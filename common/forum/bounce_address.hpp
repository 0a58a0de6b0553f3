#pragma once
// The envelope sender of the forum's mail, and back: forumnotify makes one
// per subscriber (VERP), forumpost knows a bounce by the address it comes
// to and whose mail it was.
//
// The pattern holds {forum}, and {local} and {domain} of the subscriber
// (default "{forum}-bounces+{local}={domain}@", Postfix's VERP form); a
// pattern ending in "@" takes the forum's domain when making an address,
// and any domain when matching one. Matching ignores case.

#include <optional>
#include <regex>
#include <string>

namespace forumgate::forum {

struct BounceTarget {
  std::string forum;       // lower-case
  std::string subscriber;  // local@domain; "" when the pattern names none
};

class BounceAddress {
 public:
  // Error(64) without {forum}, or with {local} but no {domain}.
  explicit BounceAddress(const std::string& pattern);
  std::string make(const std::string& forum, const std::string& subscriber, const std::string& domain) const;
  std::optional<BounceTarget> match(const std::string& address) const;
  // Whether each subscriber gets an address of its own.
  bool per_subscriber() const { return local_group_ != 0; }
  const std::string& pattern() const { return pattern_; }

 private:
  std::string pattern_;
  std::regex regex_;
  std::size_t forum_group_ = 0, local_group_ = 0, domain_group_ = 0;
};

}  // namespace forumgate::forum
