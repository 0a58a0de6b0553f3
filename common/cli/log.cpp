#include "cli/log.hpp"

#include "util/fd.hpp"
#include "util/printable.hpp"

#include <syslog.h>
#include <unistd.h>

#include <cerrno>

namespace forumgate::log {
namespace {

Settings settings;
bool line_in_progress = false;

int syslog_priority(Level level) {
  switch (level) {
    case Level::error: return LOG_ERR;
    case Level::warning: return LOG_WARNING;
    case Level::notice: return LOG_NOTICE;
    case Level::info: return LOG_INFO;
    case Level::debug: return LOG_DEBUG;
  }
  return LOG_NOTICE;
}

// One write(2) per line, so that lines of concurrent processes sharing a
// stderr (cron mail, an MTA's log) never interleave within a line.
void write_stderr(std::string_view message) {
  std::string line;
  line.reserve(settings.program.size() + message.size() + 8);
  if (line_in_progress) line.append("\r\033[K");
  line.append(settings.program).append(": ").append(message).push_back('\n');
  util::write_fully(STDERR_FILENO, line);  // if it fails, there is nowhere left to say so
}

}  // namespace

void configure(const Settings& s) {
  settings = s;
  if (settings.syslog) openlog(settings.program.c_str(), LOG_PID, LOG_MAIL);
}

void set_line_in_progress(bool in_progress) { line_in_progress = in_progress; }

const std::string& program() { return settings.program; }

bool enabled(Level level) { return level <= settings.threshold; }

void write(Level level, std::string_view message) {
  if (!enabled(level)) return;
  const int saved_errno = errno;
  // A file name, a charset, an id from a message: a CR, LF or NUL in it
  // would split or end the line, an ESC would reach a terminal.
  const std::string shown = util::printable(message);
  write_stderr(shown);
  if (settings.syslog) {
    syslog(syslog_priority(level), "%.*s", static_cast<int>(shown.size()), shown.data());
  }
  errno = saved_errno;
}

}  // namespace forumgate::log
