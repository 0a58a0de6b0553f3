#pragma once
// The From_ line that starts each message of an mbox (mbox(5)):
//
//   From SENDER DATE
//
// where DATE is asctime(3)-like, "Mon Nov 23 10:00:00 2026", as Postfix,
// procmail, Dovecot and mutt write it. Real mailboxes also have: no seconds
// ("10:00"), a two-digit year, a time zone before or after the year
// ("+0100", "PST", "MET DST", six letters as "WETDST", a name with an
// offset as "GMT+1"), UUCP's "remote from HOST" after it, a day padded
// with a space or a zero ("Jul  8", Eudora's "Sep 08"), an RFC 5322 date
// instead ("Mon, 23 Nov 2026 10:00:00 +0100"), a sender with spaces
// (pipermail's "alice at example.org", Eudora's "???@???"), an empty
// sender, and a CRLF end. A body line such as "From here on" is not a
// From_ line: it has no date. Where a From_ line may stand (RFC 4155: at
// the start of the file or after an empty line) is the reader's business.

#include <optional>
#include <string_view>

namespace forumgate::spool {

// Whether line (without or with its line end) is a From_ line.
bool is_from_line(std::string_view line);

// The SENDER of a From_ line ("" when empty); nullopt when it is none.
std::optional<std::string_view> from_line_sender(std::string_view line);

}  // namespace forumgate::spool
