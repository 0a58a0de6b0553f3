#include "spool/line_reader.hpp"

#include <unistd.h>

#include <cstring>

#include "util/error.hpp"
#include "util/fd.hpp"

namespace forumgate::spool {

namespace {
constexpr size_t chunk = 1 << 20;
}

LineReader::LineReader(int fd, std::string name) : fd_(fd), name_(std::move(name)), buf_(chunk) {}

bool LineReader::fill() {
  if (eof_) return false;
  if (begin_ > 0) {  // keep the unread part at the front
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buf_.size() - end_ < chunk / 2) buf_.resize(buf_.size() + chunk);  // a long line
  for (;;) {
    ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    if (n < 0 && errno == EINTR && !util::stop_requested()) continue;
    if (n < 0) throw system_error(Exit::ioerr, "cannot read " + name_);
    if (n == 0) {
      eof_ = true;
      return false;
    }
    end_ += static_cast<size_t>(n);
    return true;
  }
}

std::string_view LineReader::peek_line() {
  size_t scanned = 0;
  for (;;) {
    const char* start = buf_.data() + begin_;
    const void* nl = std::memchr(start + scanned, '\n', end_ - begin_ - scanned);
    if (nl) return {start, static_cast<size_t>(static_cast<const char*>(nl) - start) + 1};
    scanned = end_ - begin_;
    if (!fill()) return {buf_.data() + begin_, end_ - begin_};
  }
}

std::string_view LineReader::peek_lines() {
  if (begin_ < end_) {
    const char* start = buf_.data() + begin_;
    const void* last = memrchr(start, '\n', end_ - begin_);
    if (last) return {start, static_cast<size_t>(static_cast<const char*>(last) - start) + 1};
  }
  return peek_line();  // no whole line read ahead: read until there is one
}

std::string_view LineReader::next_line() {
  std::string_view line = peek_line();
  begin_ += line.size();
  offset_ += line.size();
  return line;
}

uint64_t LineReader::read_into(std::string& out, uint64_t n) {
  uint64_t done = 0;
  while (done < n) {
    if (begin_ == end_ && !fill()) break;
    size_t take = static_cast<size_t>(std::min<uint64_t>(n - done, end_ - begin_));
    out.append(buf_.data() + begin_, take);
    begin_ += take;
    done += take;
  }
  offset_ += done;
  return done;
}

void LineReader::unread(std::string_view bytes) {
  if (bytes.size() <= begin_) {
    begin_ -= bytes.size();
    std::memcpy(buf_.data() + begin_, bytes.data(), bytes.size());
  } else {
    std::vector<char> merged(bytes.begin(), bytes.end());
    merged.insert(merged.end(), buf_.begin() + static_cast<std::ptrdiff_t>(begin_),
                  buf_.begin() + static_cast<std::ptrdiff_t>(end_));
    merged.resize(std::max(merged.size() + chunk, chunk));
    end_ = bytes.size() + (end_ - begin_);
    begin_ = 0;
    buf_ = std::move(merged);
  }
  offset_ -= bytes.size();
}

}  // namespace forumgate::spool
