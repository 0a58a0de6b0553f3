#pragma once
// Rejection notices: a short mail to the sender of a message refused for
// good (an unknown forum, a members-only forum, a message too large, a
// confirmation unknown or expired), saying what was refused, why, and what
// to do. One text per reason, built in (share/forumgate/notices) or the
// administrator's (--notice-dir DIR: DIR/FORUM/REASON.txt, then
// DIR/REASON.txt), with {variables}.
//
// Never to what RFC 3834 section 2 says must get no automatic answer: a
// bounce, an auto-reply, a list, our own loop, a null sender, an address
// that is no plain local@domain, MAILER-DAEMON, owner-* or *-request, one
// of our own addresses; nor, with --require-auth, to a sender without a
// DMARC or DKIM pass, whose address may be forged. At most one per address
// and reason a day, recorded in {site}_fg_notices. Auto-Submitted:
// auto-replied, our X-Loop, In-Reply-To the refused message.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "post/record.hpp"

namespace forumgate::forum {

// The texts built in, by reason (generated from share/forumgate/notices).
const std::map<std::string, std::string>& builtin_notice_texts();

// The text for reason: dir/forum/reason.txt, else dir/reason.txt, else the
// built-in one. Error(78) for a reason that has none.
std::string notice_text(const std::string& dir, const std::string& forum, const std::string& reason);

// text with each {name} replaced by vars' value; an unknown {name} stays.
std::string fill_notice(const std::string& text, const std::map<std::string, std::string>& vars);

// The notice's Subject and body, the text filled: the lines before the
// first empty one are fields, of which only Subject is taken (as RFC 2047
// encoded words when it is not ASCII), the rest is the body.
struct NoticeText {
  std::string subject;
  std::string body;
};
NoticeText split_notice(const std::string& filled);

// Why sender gets no notice at all, or nullopt when it may. our_address
// tells whether an address is one of the forum addresses.
std::optional<std::string> no_notice_because(const post::Record& record, bool our_address);

// The day of t (days since the epoch, UTC): the unit of "once a day".
std::int64_t notice_day(std::int64_t t);

// t as RFC 5322 writes a date, in UTC.
std::string rfc5322_date(std::int64_t t);

}  // namespace forumgate::forum
