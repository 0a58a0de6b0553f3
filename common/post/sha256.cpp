#include "post/sha256.hpp"

#include <nettle/sha2.h>

namespace forumgate::post {

std::array<std::uint8_t, 32> sha256(std::string_view data) {
  sha256_ctx ctx;
  sha256_init(&ctx);
  sha256_update(&ctx, data.size(), reinterpret_cast<const std::uint8_t*>(data.data()));
  std::array<std::uint8_t, 32> digest{};
  sha256_digest(&ctx, digest.size(), digest.data());
  return digest;
}

std::string sha256_hex(std::string_view data) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (std::uint8_t b : sha256(data)) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

}  // namespace forumgate::post
