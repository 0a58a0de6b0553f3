#pragma once
// Messages to the user: "PROGRAM: message" on stderr and, with --syslog, to
// syslog(3) with facility mail, since cron jobs and MTA pipes have no terminal.
//
// Levels: error and warning always reach stderr unless --quiet (which keeps
// errors); notice is the default level; info is -v; debug is -vv.
//
// A message is one line, whatever it quotes: its control bytes (CR, LF,
// NUL, ESC...) are shown escaped (util/printable.hpp), never written.

#include <string>
#include <string_view>

namespace forumgate::log {

enum class Level { error, warning, notice, info, debug };

struct Settings {
  std::string program = "forumgate";
  Level threshold = Level::notice;
  bool syslog = false;
};

void configure(const Settings& settings);
// A line without its end is on the terminal (a progress bar, see
// cli/progress.hpp): each message then clears it first.
void set_line_in_progress(bool in_progress);
const std::string& program();
bool enabled(Level level);
void write(Level level, std::string_view message);

inline void error(std::string_view m) { write(Level::error, m); }
inline void warning(std::string_view m) { write(Level::warning, m); }
inline void notice(std::string_view m) { write(Level::notice, m); }
inline void info(std::string_view m) { write(Level::info, m); }
inline void debug(std::string_view m) { write(Level::debug, m); }

}  // namespace forumgate::log
