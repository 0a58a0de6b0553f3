#pragma once
// Lines from a file descriptor through one large buffer: memory stays
// bounded by the longest line, whatever the size of the file.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace forumgate::spool {

class LineReader {
 public:
  LineReader(int fd, std::string name);

  // The next line with its '\n' (the last line of a file may lack it); empty
  // at end of file. Valid until the next call. Throws Error(74) on a read error.
  std::string_view next_line();
  // The next line, left unread.
  std::string_view peek_line();
  // Every whole line read ahead, at least one (the rest of the file at its
  // end), left unread: for scanning a body without a call per line. Empty
  // at end of file. Valid until the next call.
  std::string_view peek_lines();
  // Takes n bytes of what peek_lines() gave.
  void skip(size_t n) {
    begin_ += n;
    offset_ += n;
  }
  // Appends exactly n bytes (fewer at end of file) to out; returns how many.
  uint64_t read_into(std::string& out, uint64_t n);
  // Puts bytes back in front of what is still unread.
  void unread(std::string_view bytes);

  // Offset in the file of the next unread byte.
  uint64_t offset() const { return offset_; }

 private:
  bool fill();  // false at end of file

  int fd_;
  std::string name_;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  uint64_t offset_ = 0;
};

}  // namespace forumgate::spool
