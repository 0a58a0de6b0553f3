#pragma once
// Messages out of an mbox, one at a time, in bounded memory (the message at
// hand and one read buffer).
//
// Variants (mbox(5); "From " lines in bodies are quoted by the writer):
//   mboxo    Postfix local(8), procmail: ">From " is un-quoted to "From ".
//   mboxrd   qmail, getmail, mblaze: one ">" is removed from ">>*From ".
//   mboxcl   mutt: like mboxo, with a Content-Length header.
//   mboxcl2  Dovecot: nothing is quoted; Content-Length tells the end.
//   auto     mboxo, except that a message whose Content-Length is right
//            (a From_ line or the end of the file follows there) is taken
//            by it, unquoted, as mboxcl2 (Dovecot) writes it.
// Content-Length is trusted only when the body it delimits ends a line and a
// From_ line, or the end of the file, follows; otherwise the From_ lines
// decide. In a file this is checked with pread before anything is read, so a
// forged or absurd length neither splits a message mid-line nor sizes memory.
//
// Every byte but the From_ line, the quoting and the blank line that ends
// each message is kept as it was: CRLF line ends, 8-bit and binary bytes, a
// missing final newline. Leading blank lines and an empty file are fine; a
// file whose first line is not a From_ line is not an mbox (Error 65).
//
// Status: and X-Status: are what a mail reader (mutt, Pine, Thunderbird)
// kept about a message in the mbox itself: Status R read, O seen (old);
// X-Status A answered, F flagged, D deleted, T draft. They are kept as
// they are, unless the reader is asked to take them (StatusHeaders::take):
// then their letters go into the message's status and x_status and the
// lines (with any continuation lines) leave the message, since the flags
// will live in the Maildir file's name, and a copy in the header would go
// stale when they change there.
//
// Memory: the message at hand is held once. Past 1 MiB a message of a
// file grows into room for the rest of the file (at most 4 GiB), reserved
// in one step (pages never written cost nothing), so a 1 GB message is not
// copied while it grows, as doubling would, and held twice for that moment.

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
