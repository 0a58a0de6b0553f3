#pragma once
// The exit statuses of every forumgate program: sysexits(3), the codes MTAs
// understand. Postfix defers only on 75 (and 71); everything else it bounces.

namespace forumgate {

enum class Exit : int {
  ok = 0,
  usage = 64,        // EX_USAGE: bad command line
  dataerr = 65,      // EX_DATAERR: the input is not what it should be
  noinput = 66,      // EX_NOINPUT: an input file is missing or unreadable
  nouser = 67,       // EX_NOUSER: unknown forum or address
  unavailable = 69,  // EX_UNAVAILABLE: a service we need is not there
  software = 70,     // EX_SOFTWARE: internal error
  cantcreat = 73,    // EX_CANTCREAT: cannot create an output file
  ioerr = 74,        // EX_IOERR: a read or write failed
  tempfail = 75,     // EX_TEMPFAIL: try again later (lock busy, database down)
  noperm = 77,       // EX_NOPERM: not permitted
  config = 78,       // EX_CONFIG: configuration error
  // Not sysexits, but what env(1), timeout(1) and every shell return when a
  // command they were to run could not be run.
  cannot_execute = 126,
  command_not_found = 127,
};

constexpr int status(Exit e) { return static_cast<int>(e); }

}  // namespace forumgate
