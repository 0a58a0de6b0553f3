#pragma once
// Is there new mail in a spool? Cheaply, opening no message: a stat for an
// mbox (mail when not empty), one directory read that stops at the first
// entry of a Maildir's new/ not starting with a dot, STAT or STATUS in a
// session of its own for a pop3[s]:// or imap[s]:// URL (remote_session.hpp).
// A missing spool has no mail. Counting (Detail::count) reads further: the
// From_ lines of an mbox, every entry of new/. A spool that cannot be read,
// is neither an mbox nor a Maildir, or whose server cannot be reached or
// refuses the login, is a SpoolError. spoolcheck(1) says it for users.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace forumgate::spool {

enum class SpoolType { missing, mbox, maildir, pop3, imap };

// "missing", "mbox", "maildir", "pop3", "imap".
const char* type_name(SpoolType type);

// What was found in a spool.
struct SpoolState {
  SpoolType type = SpoolType::missing;
  bool new_mail = false;
  // Messages (mbox) or new files (Maildir); counted with Detail::count only.
  std::uint64_t count = 0;
};

enum class Detail {
  presence,  // whether there is new mail at all: the least work
  count,     // how many messages
};

// A spool that could not be checked. what() is "SPOOL: REASON".
class SpoolError : public Error {
 public:
  SpoolError(Exit status, std::string spool, std::string reason);
  const std::string& spool() const noexcept { return spool_; }
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string spool_;
  std::string reason_;
};

// Whether name is a pop3://, pop3s://, imap:// or imaps:// URL.
bool is_remote_spool(std::string_view name);

// Throws SpoolError.
SpoolState check_spool(const std::string& spool, Detail detail = Detail::presence);

// One spool of many, as checked.
struct SpoolResult {
  bool checked = false;             // false: skipped once mail was found
  std::optional<SpoolState> state;  // none when it could not be checked
  std::string error;                // then why: SpoolError::reason()

  bool new_mail() const { return state && state->new_mail; }
};

// check_spool, with a SpoolError kept as the result's error.
SpoolResult check_one(const std::string& spool, Detail detail = Detail::presence);

// Checks every spool; results are in the order of spools. Many spools are
// checked on several threads, one per CPU: each check is a system call or
// three on a path, and the kernel serves them in parallel; the paths are
// walked from the directory the names share, opened once. With
// stop_at_mail, returns as soon as one spool has new mail, leaving some
// unchecked.
std::vector<SpoolResult> check_spools(const std::vector<std::string>& spools, Detail detail, bool stop_at_mail = false);

// The From_ lines in the mbox open on fd, read from its current offset to
// its end in large blocks. Throws Error(ioerr) when a read fails.
std::uint64_t count_mbox_messages(int fd);

// The spool names in file, one per line; empty lines are skipped. "-" is
// standard input. Throws Error(noinput) when the file cannot be read.
std::vector<std::string> read_spool_names(const std::string& file);

}  // namespace forumgate::spool
