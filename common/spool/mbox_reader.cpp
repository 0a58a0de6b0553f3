#include "spool/mbox_reader.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

#include "spool/from_line.hpp"
#include "util/error.hpp"
#include "util/printable.hpp"

namespace forumgate::spool {
namespace {

bool is_blank(std::string_view line) { return line == "\n" || line == "\r\n"; }

std::string_view without_eol(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  return line;
}

// Case-insensitive "Name:" at the start of a header line; the value after it.
bool header_is(std::string_view line, std::string_view name, std::string_view& value) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (size_t i = 0; i < name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  value = without_eol(line.substr(name.size() + 1));
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  return true;
}

// A line quoted by the writer: ">From " (mboxo), ">>*From " (mboxrd).
size_t quote_depth(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && line[n] == '>') ++n;
  return n > 0 && line.substr(n, 5) == "From " ? n : 0;
}

// The line, quoted for a message of the user, with control bytes shown.
std::string quoted(std::string_view line) {
  line = without_eol(line);
  return "\"" + util::printable(line.substr(0, 80)) + (line.size() > 80 ? "...\"" : "\"");
}

}  // namespace

// mboxcl (mutt) quotes ">From " in bodies even though Content-Length is there.
void MboxReader::unquote_from(std::string& data, size_t from) {
  std::string out;
  out.reserve(data.size() - from);
  size_t pos = from;
  while (pos < data.size()) {
    size_t nl = data.find('\n', pos);
    size_t end = nl == std::string::npos ? data.size() : nl + 1;
    std::string_view line(data.data() + pos, end - pos);
    if (quote_depth(line) == 1) line.remove_prefix(1);
    out.append(line);
    pos = end;
  }
  data.resize(from);
  data += out;
}

MboxFormat parse_mbox_format(const std::string& name) {
  if (name == "auto") return MboxFormat::automatic;
  if (name == "mboxo") return MboxFormat::mboxo;
  if (name == "mboxrd") return MboxFormat::mboxrd;
  if (name == "mboxcl") return MboxFormat::mboxcl;
  if (name == "mboxcl2") return MboxFormat::mboxcl2;
  throw Error(Exit::usage, "unknown mbox format '" + name + "' (auto, mboxo, mboxrd, mboxcl, mboxcl2)");
}

MboxReader::MboxReader(int fd, std::string name, MboxFormat format, StatusHeaders status_headers)
    : in_(fd, name), fd_(fd), name_(std::move(name)), format_(format), status_headers_(status_headers) {}

std::optional<std::string> maildir_flags(const MboxMessage& m) {
  std::string flags;
  bool seen = false;
  for (char c : m.status) {
    if (c == 'R') flags += 'S';
    seen = seen || c == 'R' || c == 'O';
  }
  for (char c : m.x_status) {
    switch (c) {
      case 'A': flags += 'R'; break;
      case 'F': flags += 'F'; break;
      case 'D': flags += 'T'; break;
      case 'T': flags += 'D'; break;
      default: break;
    }
  }
  if (!seen && flags.empty()) return std::nullopt;
  std::sort(flags.begin(), flags.end());  // maildir(5): in ASCII order, each once
  flags.erase(std::unique(flags.begin(), flags.end()), flags.end());
  return flags;
}

void MboxReader::make_room(std::string& data, uint64_t more) {
  constexpr uint64_t large = 1u << 20;
  constexpr uint64_t most = uint64_t{4} << 30;  // the kernel may refuse more at once
  if (data.size() + more <= data.capacity() || data.size() + more < large) return;
  struct stat st {};
  if (fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) return;  // a pipe: doubling it is
  const uint64_t rest =
      static_cast<uint64_t>(st.st_size) > in_.offset() ? static_cast<uint64_t>(st.st_size) - in_.offset() : 0;
  const uint64_t want = std::min(data.size() + more + rest, std::max(most, data.size() + more));
  try {
    data.reserve(static_cast<size_t>(want));
  } catch (const std::bad_alloc&) {
    // Address space limited (ulimit -v, strict overcommit): grow as usual.
  }
}
void MboxReader::append_line(MboxMessage& m, std::string_view line, bool unquote) {
  if (unquote) {
    size_t depth = quote_depth(line);
    bool strip = format_ == MboxFormat::mboxrd ? depth >= 1 : depth == 1;
    if (strip) line.remove_prefix(1);
  }
  keep(m, line);
}

bool MboxReader::next(MboxMessage& m) {
  {
    // The room of the last message serves the next: a large one is not
    // mapped, faulted in and unmapped again for each message.
    std::string room = std::move(m.data);
    room.clear();
    m = MboxMessage();
    m.data = std::move(room);
  }
  if (!started_) {
    started_ = true;
    std::string_view line;
    do {
      line = in_.next_line();
    } while (is_blank(line));
    if (line.empty()) return false;  // an empty mbox
    if (!is_from_line(line)) {
      throw Error(Exit::dataerr, name_ + " is not an mbox: its first line is " + quoted(line) + ", not a From_ line");
    }
    pending_from_ = std::string(line);
    pending_offset_ = in_.offset() - line.size();
  }
  if (pending_from_.empty()) return false;

  m.from_line = std::string(without_eol(pending_from_));
  m.sender = std::string(from_line_sender(m.from_line).value_or(""));
  m.offset = pending_offset_;
  pending_from_.clear();

  int64_t content_length = -1;
  bool ended = false;
  read_headers(m, content_length, ended);
  if (!ended) {
    const bool by_length = content_length >= 0 && format_ != MboxFormat::mboxo && format_ != MboxFormat::mboxrd;
    if (!by_length || !take_by_content_length(m, static_cast<uint64_t>(content_length))) {
      read_body_lines(m);
    }
  }
  // The blank line the writer put between messages is not the message's.
  if (m.data.ends_with("\r\n\r\n")) m.data.resize(m.data.size() - 2);
  else if (m.data.ends_with("\n\n")) m.data.pop_back();
  m.length = (pending_from_.empty() ? in_.offset() : pending_offset_) - m.offset;
  return true;
}

void MboxReader::read_headers(MboxMessage& m, int64_t& content_length, bool& ended) {
  bool taking = false;  // the line before was a Status: line taken out
  for (;;) {
    std::string_view line = in_.next_line();
    if (line.empty()) {
      ended = true;  // end of file inside the header: a truncated message
      return;
    }
    if (taking && (line[0] == ' ' || line[0] == '\t')) continue;  // its continuation
    taking = false;
    std::string_view value;
    if (header_is(line, "content-length", value)) {
      char* end = nullptr;
      std::string digits(value);
      long long n = std::strtoll(digits.c_str(), &end, 10);
      if (!digits.empty() && end && *end == '\0' && n >= 0) content_length = n;
    } else if (header_is(line, "return-path", value)) {
      m.has_return_path = true;
    } else if (header_is(line, "status", value)) {
      m.status.append(value);
      taking = status_headers_ == StatusHeaders::take;
    } else if (header_is(line, "x-status", value)) {
      m.x_status.append(value);
      taking = status_headers_ == StatusHeaders::take;
    }
    if (taking) continue;
    append_line(m, line, format_ != MboxFormat::mboxcl2);
    if (is_blank(line)) return;
  }
}

// For a file, whether a body of length bytes from here ends a line and is
// followed by the end of the file or a From_ line (after the blank line the
// writer adds), read with pread; true for a pipe, checked after reading.
bool MboxReader::content_length_fits(uint64_t length) const {
  struct stat st {};
  if (fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) return true;
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  const uint64_t end = in_.offset() + length;
  if (length > size - std::min(size, in_.offset())) return false;
  char last = '\n';
  if (length > 0 && pread(fd_, &last, 1, static_cast<off_t>(end - 1)) != 1) return false;
  if (last != '\n') return false;
  char buf[1024];
  ssize_t n = pread(fd_, buf, sizeof buf, static_cast<off_t>(end));
  if (n <= 0) return n == 0;
  std::string_view next(buf, static_cast<size_t>(n));
  if (next.starts_with("\r\n")) next.remove_prefix(2);
  else if (next.starts_with("\n")) next.remove_prefix(1);
  if (next.empty()) return end + static_cast<uint64_t>(n) == size;
  return is_from_line(next.substr(0, next.find('\n')));
}

// Takes the body by its Content-Length when it ends a line and a From_ line,
// or the end of the file, follows there (after the blank line the writer
// adds); otherwise puts the bytes back and returns false.
bool MboxReader::take_by_content_length(MboxMessage& m, uint64_t length) {
  if (!content_length_fits(length)) return false;
  const size_t header_size = m.data.size();
  make_room(m.data, length);
  const uint64_t got = in_.read_into(m.data, length);
  const bool ends_line = length == 0 || m.data.back() == '\n';
  auto follows = [&] {
    std::string_view next = in_.peek_line();
    if (next.empty()) return true;
    if (is_from_line(next)) return true;
    if (!is_blank(next)) return false;
    std::string blank(in_.next_line());
    std::string_view after = in_.peek_line();
    bool ok = after.empty() || is_from_line(after);
    in_.unread(blank);
    return ok;
  };
  if (got == length && ends_line && follows()) {
    if (format_ == MboxFormat::mboxcl) unquote_from(m.data, header_size);
    std::string_view next = in_.peek_line();
    if (is_blank(next)) m.data.append(in_.next_line());
    next = in_.next_line();
    if (!next.empty()) {
      pending_from_ = std::string(next);
      pending_offset_ = in_.offset() - next.size();
    }
    return true;
  }
  in_.unread(std::string_view(m.data).substr(header_size));
  m.data.resize(header_size);
  return false;
}

// Line by line, but copied in runs: only a line that starts with 'F' (a
// From_ line ends the message) or '>' (quoting to undo) is looked at. A
// From_ line ends it only after an empty line (RFC 4155): one inside a
// paragraph is a body line an mboxcl2 writer (or a careless one) left as
// it was. The body starts after the header's empty line.
void MboxReader::read_body_lines(MboxMessage& m) {
  const bool unquote = format_ != MboxFormat::mboxcl2;
  bool after_blank = true;
  for (;;) {
    const std::string_view lines = in_.peek_lines();
    if (lines.empty()) return;
    size_t copied = 0;  // lines[0, copied) is in m.data
    for (size_t at = 0; at < lines.size();) {
      const void* nl = std::memchr(lines.data() + at, '\n', lines.size() - at);
      const size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - lines.data()) + 1 : lines.size();
      const char first = lines[at];
      const bool blank = is_blank(lines.substr(at, end - at));
      const bool may_start = after_blank;
      after_blank = blank;
      if (first == 'F' && may_start && is_from_line(lines.substr(at, end - at))) {
        keep(m, lines.substr(copied, at - copied));
        pending_from_ = std::string(lines.substr(at, end - at));
        in_.skip(end);
        pending_offset_ = in_.offset() - pending_from_.size();
        return;
      }
      if (first == '>' && unquote) {
        const size_t depth = quote_depth(lines.substr(at, end - at));
        if (format_ == MboxFormat::mboxrd ? depth >= 1 : depth == 1) {
          keep(m, lines.substr(copied, at - copied));
          copied = at + 1;  // without its first '>'
        }
      }
      at = end;
    }
    keep(m, lines.substr(copied));
    in_.skip(lines.size());
  }
}

void MboxReader::keep(MboxMessage& m, std::string_view bytes) {
  if (!keep_data_) return;
  make_room(m.data, bytes.size());
  m.data.append(bytes);
}

std::string return_path_line(const MboxMessage& m) {
  if (m.has_return_path || m.sender.empty()) return {};
  size_t nl = m.data.find('\n');
  const bool crlf = nl != std::string::npos && nl > 0 && m.data[nl - 1] == '\r';
  std::string sender = m.sender == "MAILER-DAEMON" ? "" : m.sender;
  return "Return-Path: <" + sender + ">" + (crlf ? "\r\n" : "\n");
}

}  // namespace forumgate::spool
