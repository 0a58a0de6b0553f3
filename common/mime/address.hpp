#pragma once
// RFC 5322 addresses, message identifiers and dates.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace forumgate::mime {

struct Address {
  std::string name;     // display name, RFC 2047-decoded, UTF-8, unquoted
  std::string address;  // local@domain as written (no angle brackets)
};

// An address-list: mailboxes, name-addrs, groups (flattened to their
// members), comments (a comment is the name when there is no other), quoted
// names with escapes, obsolete forms (routes, missing commas between
// <...> addresses). Never throws; what cannot be parsed is skipped.
std::vector<Address> parse_address_list(std::string_view raw);

// Whether s is an addr-spec as a header may carry it, local@domain (RFC 5322
// 3.4.1): a dot-atom or quoted-string local part, a dot-atom or [literal]
// domain; UTF-8 allowed in both (RFC 6532). Never a space outside quotes,
// never a control character, never a line break.
bool is_addr_spec(std::string_view s);

// Whether s is one message identifier as a header carries it: "<...>", with
// no space, control character or angle bracket inside.
bool is_message_id(std::string_view s);

// The <...> identifiers of In-Reply-To / References / Message-ID, in order,
// each with its angle brackets; comments and phrases skipped, folding
// inside an identifier removed. Only when there is no <...> at all, each
// word containing '@' is taken as an identifier written without brackets
// (and returned with them).
std::vector<std::string> parse_message_ids(std::string_view raw);

// An RFC 5322 date-time (and the obsolete forms: two-digit years, named
// zones such as EST or UT, missing seconds, missing day of week) as seconds
// since the epoch; nullopt when it is not a date. Military and unknown
// zone names, and a missing zone, count as -0000 (RFC 5322 4.3); asctime
// order ("Tue Nov 24 01:55:43 2026") is accepted too.
std::optional<std::int64_t> parse_date(std::string_view raw);

}  // namespace forumgate::mime
