#pragma once
// Messages out of an mbox, one at a time, in bounded memory (the message at
// hand and one read buffer): mboxo, mboxrd, mboxcl, mboxcl2, or auto. Every
// byte but the From_ line, the quoting and the blank line that ends each
// message is kept as it was; a file whose first line is not a From_ line is
// not an mbox (Error 65). The variants, when Content-Length is trusted, the
// Status headers and the memory: docs/design.md (mailsplit).

#include <cstdint>
#include <optional>
#include <string>

#include "spool/line_reader.hpp"

namespace forumgate::spool {

enum class MboxFormat { automatic, mboxo, mboxrd, mboxcl, mboxcl2 };

// "auto", "mboxo", "mboxrd", "mboxcl", "mboxcl2"; Error(64) otherwise.
MboxFormat parse_mbox_format(const std::string& name);

enum class StatusHeaders { keep, take };

struct MboxMessage {
  std::string data;       // the message, From_ line and quoting removed
  std::string from_line;  // without its line end
  std::string sender;     // the From_ line's envelope sender
  uint64_t offset = 0;    // of the From_ line in the mbox
  uint64_t length = 0;    // bytes of the mbox it took, blank line included
  bool has_return_path = false;
  std::string status;    // the letters of Status: ("RO"), of every such line
  std::string x_status;  // the letters of X-Status: ("AF")
};

// The maildir(5) flags of a message, by its Status: and X-Status: letters
// (R -> S; A -> R, F -> F, D -> T, T -> D; sorted, each once): nullopt when
// it has none of O, R, A, F, D, T, a new message for new/; otherwise the
// flags for "cur/NAME:2,FLAGS", "" for a message only seen (O).
std::optional<std::string> maildir_flags(const MboxMessage& m);

class MboxReader {
 public:
  MboxReader(int fd, std::string name, MboxFormat format, StatusHeaders status_headers = StatusHeaders::keep);

  // The next message; false at the end. Throws Error(65) when the file is
  // not an mbox, Error(74) on a read error.
  bool next(MboxMessage& message);
  // Bytes of the mbox read so far.
  uint64_t offset() const { return in_.offset(); }
  // Whether messages keep their bytes (data); without, only the header
  // lines the reader needs are kept, for counting (mailsplit --count).
  void keep_data(bool keep) { keep_data_ = keep; }

 private:
  void read_headers(MboxMessage& m, int64_t& content_length, bool& ended);
  bool take_by_content_length(MboxMessage& m, uint64_t length);
  bool content_length_fits(uint64_t length) const;
  void read_body_lines(MboxMessage& m);
  void append_line(MboxMessage& m, std::string_view line, bool unquote);
  void keep(MboxMessage& m, std::string_view bytes);
  void make_room(std::string& data, uint64_t more);
  static void unquote_from(std::string& data, size_t from);

  LineReader in_;
  int fd_;
  std::string name_;
  MboxFormat format_;
  StatusHeaders status_headers_;
  bool keep_data_ = true;
  bool started_ = false;
  std::string pending_from_;  // the From_ line that ended the last message
  uint64_t pending_offset_ = 0;
};

// The header line to put before the message so that it keeps its envelope
// sender: "Return-Path: <sender>" when it has none ("" otherwise; Postfix's
// "MAILER-DAEMON" is <>). Separate, so a large message is never copied.
std::string return_path_line(const MboxMessage& m);

}  // namespace forumgate::spool
