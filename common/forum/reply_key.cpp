#include "forum/reply_key.hpp"

#include <nettle/hmac.h>
#include <sys/stat.h>

#include "mime/header.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"

namespace forumgate::forum {
namespace {

constexpr std::size_t key_digits = 20;

bool all_digits(std::string_view s) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool all_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

// Comparison in time independent of where the strings differ.
bool same(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

ReplyKeys ReplyKeys::from_file(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw system_error(Exit::config, "cannot read the reply key secret " + path);
  if (st.st_mode & 0077)
    throw Error(Exit::config, path + ": others than its owner may read or change the reply key secret (mode " +
                                  util::file_mode(st.st_mode) + "): chmod 600");
  auto data = util::read_file(path, Exit::config);
  if (!data) throw system_error(Exit::config, "cannot read the reply key secret " + path);
  while (!data->empty() && (data->back() == '\n' || data->back() == '\r')) data->pop_back();
  if (data->size() < 16) throw Error(Exit::config, path + ": the reply key secret is shorter than 16 bytes");
  return ReplyKeys(std::move(*data));
}

std::string ReplyKeys::key(std::string_view forum, std::int64_t post, std::string_view subscriber) const {
  hmac_sha256_ctx ctx;
  hmac_sha256_set_key(&ctx, secret_.size(), reinterpret_cast<const uint8_t*>(secret_.data()));
  // NUL-separated, so that no two triples make the same bytes.
  const std::string data = std::string("forumgate reply key") + '\0' + mime::to_lower(forum) + '\0' +
                           std::to_string(post) + '\0' + mime::to_lower(subscriber);
  hmac_sha256_update(&ctx, data.size(), reinterpret_cast<const uint8_t*>(data.data()));
  uint8_t digest[SHA256_DIGEST_SIZE];
  hmac_sha256_digest(&ctx, sizeof digest, digest);
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < key_digits / 2; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

std::string ReplyKeys::suffix(std::string_view forum, std::int64_t post, std::string_view subscriber) const {
  return "+r" + std::to_string(post) + "." + key(forum, post, subscriber);
}

std::optional<std::int64_t> ReplyKeys::verify(std::string_view forum, std::string_view s,
                                              std::string_view subscriber) const {
  if (!looks_like_reply_key(s)) return std::nullopt;
  std::size_t dot = s.find('.');
  std::int64_t post = std::stoll(std::string(s.substr(2, dot - 2)));
  if (!same(mime::to_lower(s.substr(dot + 1)), key(forum, post, subscriber))) return std::nullopt;
  return post;
}

bool looks_like_reply_key(std::string_view s) {
  if (s.size() < 4 || s[0] != '+' || (s[1] != 'r' && s[1] != 'R')) return false;
  std::size_t dot = s.find('.');
  if (dot == std::string_view::npos) return false;
  return all_digits(s.substr(2, dot - 2)) && s.size() - dot - 1 == key_digits && all_hex(s.substr(dot + 1));
}

}  // namespace forumgate::forum
