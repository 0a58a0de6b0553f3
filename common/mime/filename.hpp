#pragma once
// Attachment file names that are safe to write anywhere.

#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

namespace forumgate::mime {

// Names are sanitized (UTF-8 kept; no '/', '\\', NUL or control
// characters, no leading dots or spaces, no trailing dots or spaces (Windows),
// no reserved Windows device names, at most 120 bytes keeping the
// extension, cut on a UTF-8 character boundary) and made unique within one
// message ("a.txt", "a-2.txt"). An empty result becomes "part-N" plus an
// extension from the content type when one is known.
class FileNames {
 public:
  std::string add(std::string_view raw, std::string_view content_type);

 private:
  std::set<std::string> used_;                             // lower-cased
  std::unordered_map<std::string, unsigned> next_number_;  // by lower-cased name: the next suffix to try
  unsigned unnamed_ = 0;
};

}  // namespace forumgate::mime
