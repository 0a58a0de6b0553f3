#include "util/fd.hpp"

#include <unistd.h>

#include <cerrno>

#include "cli/error.hpp"

namespace forumgate::util {

bool write_fully(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void write_all(int fd, std::string_view data, const std::string& what) {
  if (!write_fully(fd, data)) throw system_error(Exit::ioerr, "cannot write " + what);
}

}  // namespace forumgate::util
