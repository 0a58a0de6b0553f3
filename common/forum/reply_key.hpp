#pragma once
// Reply keys: an address that binds a reply to one post and one
// subscriber, for clients that drop In-Reply-To and References.
//
// forumnotify puts "{forum}+r{post}.{key}" in Reply-To, key being
// HMAC-SHA-256 (nettle) over the forum, the post and the subscriber's
// address, under a secret only the gateway knows, truncated to 80 bits as
// 20 hex digits. forumpost threads a reply to such an address under the
// post when the key verifies for the reply's sender, and routes it as any
// other post when it does not.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace forumgate::forum {

class ReplyKeys {
 public:
  // The secret in file path: Error(78) unless only its owner may read it
  // (0600 or stricter) and it holds at least 16 bytes.
  static ReplyKeys from_file(const std::string& path);
  explicit ReplyKeys(std::string secret) : secret_(std::move(secret)) {}

  // The 20 hex digits for (forum, post, subscriber); the address's case
  // does not matter.
  std::string key(std::string_view forum, std::int64_t post, std::string_view subscriber) const;
  // The local part's suffix after the forum's name: "+r{post}.{key}".
  std::string suffix(std::string_view forum, std::int64_t post, std::string_view subscriber) const;
  // The post a suffix names when its key verifies for subscriber.
  std::optional<std::int64_t> verify(std::string_view forum, std::string_view suffix,
                                     std::string_view subscriber) const;

 private:
  std::string secret_;
};

// Whether s is "+r{digits}.{20 hex digits}": a reply key's shape, verified
// or not.
bool looks_like_reply_key(std::string_view s);

}  // namespace forumgate::forum
