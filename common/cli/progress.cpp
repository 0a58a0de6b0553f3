#include "cli/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "cli/log.hpp"
#include "util/fd.hpp"

namespace forumgate::cli {
namespace {

constexpr auto redraw_every = std::chrono::milliseconds(100);
constexpr const char* clear_line = "\r\033[K";

bool large(const Progress& p) {
  return std::max(p.bytes, p.bytes_total) > ProgressBar::large_bytes ||
         std::max(p.items, p.items_total) > ProgressBar::large_items;
}

int columns(int fd) {
  winsize ws{};
  return ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40 ? ws.ws_col : 80;
}

std::string megabytes(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(bytes) / 1e6);
  return buf;
}

}  // namespace

ProgressBar::ProgressBar(bool enabled, const char* items, int fd)
    : enabled_(enabled && isatty(fd)), items_(items), fd_(fd) {}

ProgressBar::~ProgressBar() { clear(); }

void ProgressBar::update(const Progress& p) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (shown_ && now - last_ < redraw_every) return;
  if (!shown_ && !large(p)) return;
  last_ = now;
  draw(p);
}

void ProgressBar::draw(const Progress& p) {
  std::string counts;
  double fraction = -1;
  if (p.bytes_total > 0) {
    fraction = static_cast<double>(std::min(p.bytes, p.bytes_total)) / static_cast<double>(p.bytes_total);
    counts = megabytes(p.bytes) + " of " + megabytes(p.bytes_total) + " MB, " + std::to_string(p.items) + " " + items_;
  } else if (p.items_total > 0) {
    fraction = static_cast<double>(std::min(p.items, p.items_total)) / static_cast<double>(p.items_total);
    counts = std::to_string(p.items) + " of " + std::to_string(p.items_total) + " " + items_ + ", " +
             megabytes(p.bytes) + " MB";
  } else {
    counts = std::to_string(p.items) + " " + items_ + ", " + megabytes(p.bytes) + " MB";
  }
  std::string line = "\r" + log::program() + ": ";
  if (fraction >= 0) {
    char percent[8];
    std::snprintf(percent, sizeof percent, "%3d%% ", static_cast<int>(fraction * 100));
    line += percent;
    // The bar takes what the text leaves of the line, less one column so
    // that the cursor never wraps.
    const int room = columns(fd_) - static_cast<int>(line.size() - 1 + counts.size()) - 4;
    if (room >= 10) {
      const int width = std::min(room, 50);
      const int filled = static_cast<int>(fraction * width);
      line += "[" + std::string(static_cast<size_t>(filled), '#') +
              std::string(static_cast<size_t>(width - filled), ' ') + "] ";
    }
  }
  line += counts;
  line += "\033[K";
  util::write_fully(fd_, line);  // a terminal that fails us: nothing to do
  shown_ = true;
  log::set_line_in_progress(true);
}

void ProgressBar::clear() {
  if (!shown_) return;
  util::write_fully(fd_, clear_line);
  shown_ = false;
  log::set_line_in_progress(false);
}

}  // namespace forumgate::cli
