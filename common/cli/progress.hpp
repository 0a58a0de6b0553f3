#pragma once
// A progress bar on stderr for a long run, as rsync --progress or pv show:
//
//   mailsplit:  45% [#########           ] 91.2 of 200.0 MB, 5400 messages
//
// Only for a terminal and a large job (more than 8 MB or 1,000 messages,
// known in advance or reached): a cron job's mail and a short run get
// nothing. Redrawn at most ten times a second, in one write(2); cleared
// when the run ends. A log message meanwhile clears it first (see
// log::set_line_in_progress), and the next redraw brings it back.

#include <chrono>
#include <cstdint>

namespace forumgate::cli {

// Where a job stands; a total of 0 is unknown.
struct Progress {
  std::uint64_t bytes = 0, bytes_total = 0;
  std::uint64_t items = 0, items_total = 0;
};

class ProgressBar {
 public:
  // Draws on fd (stderr) only when enabled and fd is a terminal; items is
  // the word for what is counted ("messages").
  ProgressBar(bool enabled, const char* items, int fd = 2);
  ~ProgressBar();  // clears the line
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(const Progress& p);
  void clear();

  static constexpr std::uint64_t large_bytes = 8u << 20;
  static constexpr std::uint64_t large_items = 1000;

 private:
  void draw(const Progress& p);

  bool enabled_;
  const char* items_;
  int fd_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace forumgate::cli
