#pragma once
// Schema checks: that the tables and columns the profile's statements use
// exist, with one message naming all that are missing, and what a forum's
// message table is and what its body column holds.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "forum/db.hpp"
#include "forum/profile.hpp"

namespace forumgate::forum {

struct Forum {
  std::string name;
  std::string table;           // its message table
  std::string charset;         // of its body column
  std::uint64_t body_max = 0;  // the bytes its body column takes (0: unknown)
  // Each column's own character set (lower-case names): a subject may be
  // utf8mb3 where the body is utf8mb4. "binary" for a column of bytes.
  std::map<std::string, std::string> charsets;
  // The charset of column, or the body's when it is not known.
  const std::string& charset_of(const std::string& column) const {
    auto it = charsets.find(column);
    return it == charsets.end() ? charset : it->second;
  }
};

// Checks that every table and column the statements use exists;
// Error(78) naming all that are missing. {messages} tables are checked
// when a forum is first used (read_forum). One cheap statement naming them
// all, and information_schema asked only when it fails.
void check_schema(Connection& db, const Profile& profile);

// The forum of that name, its message table checked, or nullopt when there
// is none; Error(78) naming what its table lacks.
std::optional<Forum> read_forum(Connection& db, const Profile& profile, const std::string& name);

}  // namespace forumgate::forum
