#pragma once
// SHA-256 (FIPS 180-4), for the keys that make a message unique in a forum
// and the checksums of attachments. Nettle's, not OpenSSL's: in OpenSSL 3
// the first digest loads and initializes the default provider, 1.5 ms of
// CPU for a process that hashes a few hundred bytes (libmariadb's login
// does without it), while nettle's is a plain function (with the CPU's SHA
// instructions where it has them).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace forumgate::post {

std::array<std::uint8_t, 32> sha256(std::string_view data);
// The digest in lowercase hex.
std::string sha256_hex(std::string_view data);

}  // namespace forumgate::post
