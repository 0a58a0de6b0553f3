#pragma once
// The From_ line that starts each message of an mbox (mbox(5)):
//
//   From SENDER DATE
//
// where DATE is asctime(3)-like, "Mon Nov 23 10:00:00 2026", as Postfix,
// procmail, Dovecot and mutt write it. Real mailboxes also have: no seconds
// ("10:00"), a time zone before or after the year ("+0100", "PST"), a
// day padded with a space ("Jul  8"), an RFC 5322 date instead
// ("Mon, 23 Nov 2026 10:00:00 +0100"), an empty sender, and a CRLF end.
// A body line such as "From here on" is not a From_ line: it has no date.

#include <optional>
#include <string_view>

namespace forumgate::spool {

// Whether line (without or with its line end) is a From_ line.
bool is_from_line(std::string_view line);

// The SENDER of a From_ line ("" when empty); nullopt when it is none.
std::optional<std::string_view> from_line_sender(std::string_view line);

}  // namespace forumgate::spool
