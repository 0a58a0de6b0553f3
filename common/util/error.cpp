#include "util/error.hpp"

#include <cstring>

namespace forumgate {

Error system_error(Exit status, const std::string& what, int errnum) {
  return Error(status, what + ": " + std::strerror(errnum));
}

}  // namespace forumgate
