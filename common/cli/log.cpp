#include "cli/log.hpp"

#include <syslog.h>
#include <unistd.h>

#include <cerrno>

namespace forumgate::log {
namespace {

Settings settings;

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
  line.reserve(settings.program.size() + message.size() + 3);
  line.append(settings.program).append(": ").append(message).push_back('\n');
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere left to say it
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace

void configure(const Settings& s) {
  settings = s;
  if (settings.syslog) openlog(settings.program.c_str(), LOG_PID, LOG_MAIL);
}

const std::string& program() { return settings.program; }

bool enabled(Level level) { return level <= settings.threshold; }

void write(Level level, std::string_view message) {
  if (!enabled(level)) return;
  const int saved_errno = errno;
  write_stderr(message);
  if (settings.syslog) {
    syslog(syslog_priority(level), "%.*s", static_cast<int>(message.size()), message.data());
  }
  errno = saved_errno;
}

}  // namespace forumgate::log
