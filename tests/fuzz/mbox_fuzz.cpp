// libFuzzer target: any bytes as an mbox, split in every variant (auto,
// mboxo, mboxrd, mboxcl, mboxcl2), from a file (where Content-Length is
// checked with pread) and from a pipe, with Status: lines kept or taken;
// and counted as spoolcheck -c counts. The first byte chooses how.

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "util/error.hpp"
#include "spool/from_line.hpp"
#include "spool/mbox_reader.hpp"
#include "spool/spool_check.hpp"

namespace {

using namespace forumgate::spool;

constexpr MboxFormat formats[] = {MboxFormat::automatic, MboxFormat::mboxo, MboxFormat::mboxrd, MboxFormat::mboxcl,
                                  MboxFormat::mboxcl2};

// A descriptor to read data from: a memory file, or a pipe (small inputs
// only, so that writing it all before reading cannot block).
int source(std::string_view data, bool pipe_it) {
  if (pipe_it && data.size() <= 60000) {
    int p[2];
    if (pipe(p) != 0) return -1;
    if (write(p[1], data.data(), data.size()) != static_cast<ssize_t>(data.size())) __builtin_trap();
    close(p[1]);
    return p[0];
  }
  int fd = memfd_create("mbox", MFD_CLOEXEC);
  if (fd < 0) return -1;
  if (!data.empty() && write(fd, data.data(), data.size()) != static_cast<ssize_t>(data.size())) __builtin_trap();
  lseek(fd, 0, SEEK_SET);
  return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t how = data[0];
  std::string_view box(reinterpret_cast<const char*>(data) + 1, size - 1);
  const MboxFormat format = formats[how % 5];
  const bool pipe_it = how & 0x10;
  const auto status = how & 0x20 ? StatusHeaders::take : StatusHeaders::keep;

  int fd = source(box, pipe_it);
  if (fd < 0) return 0;
  try {
    MboxReader reader(fd, "fuzz", format, status);
    reader.keep_data(!(how & 0x40));
    MboxMessage m;
    std::uint64_t covered = 0;
    while (reader.next(m)) {
      // Every message lies within the file, after the one before.
      if (m.offset < covered || m.offset + m.length > box.size()) __builtin_trap();
      covered = m.offset + m.length;
      (void)maildir_flags(m);
      (void)return_path_line(m);
      (void)from_line_sender(m.from_line);
    }
  } catch (const forumgate::Error&) {
    // not an mbox (65): fine
  }
  close(fd);

  if (!pipe_it) {
    fd = source(box, false);
    try {
      (void)count_mbox_messages(fd);
    } catch (const forumgate::Error&) {
    }
    close(fd);
  }
  return 0;
}
