#pragma once
// What one line (or up to three wrapped lines) of a reply is: an
// attribution, a header line of a quoted message, a separator, a forward
// marker, a mobile signature. Each test looks at the line alone, in time
// bounded by the line's length and the size of the tables in
// reply_patterns.cpp, so that trimming a body stays linear.

#include <optional>
#include <string_view>

#include "mime/reply_patterns.hpp"

namespace forumgate::mime::markers {

// Longer lines are never markers: an attribution wrapped over three lines
// is well under this.
inline constexpr std::size_t max_marker_length = 400;

// The line without what surrounds its words: blanks (also no-break spaces),
// bidirectional marks (Gmail writes them around Hebrew and Arabic
// attributions) and the '*' of bold text made plain.
std::string_view strip(std::string_view line);

// A quoted line: '>' after optional blanks.
bool is_quoted(std::string_view line);
bool is_blank(std::string_view line);

enum class Attribution {
  none,
  // Ends with "wrote:" (or a translation) or has the verb inside, and has a
  // date with a time or an address: the quoted message follows,
  // '>'-quoted or not.
  certain,
  // "On Monday, Bob wrote:", or a date and an address ending with ':'
  // ("2016-03-03 17:21 GMT+01:00 Bob <b@example.org>:"): an attribution
  // only when '>'-quoted lines follow it.
  if_quote_follows,
};
Attribution attribution(std::string_view text);

// Whether line could be the first of an attribution wrapped over several
// lines (it starts as one does: a lead word or a digit).
bool may_start_attribution(std::string_view line);

// The role of a header line of a quoted message ("From: ...", "Von: ...",
// "差出人: ..."), or nullopt.
std::optional<patterns::HeaderRole> header_line(std::string_view line);

// "-----Original Message-----" and its translations.
bool is_original_message(std::string_view line);
// "---------- Forwarded message ---------", "Begin forwarded message:",
// "----- Forwarded by ... -----" and their translations.
bool is_forward_marker(std::string_view line);
// A rule of ten or more '_' or '-' and nothing else.
bool is_rule(std::string_view line);
// "-- " (RFC 3676 section 4.3) or "--", as clients that strip trailing
// blanks send it.
bool is_signature_separator(std::string_view line);
// "Sent from my iPhone" and the like (a trailing "<https://...>" allowed).
bool is_signature_line(std::string_view line);
// Whether a Subject is a forward's ("Fwd: ...", "WG: ...").
bool is_forward_subject(std::string_view subject);

}  // namespace forumgate::mime::markers
