#pragma once
// The words mail clients write around a quoted or forwarded message, in the
// languages they are used in: data for reply_markers.cpp, which says how
// they are matched. Each entry is what a client writes (Gmail, Outlook,
// Apple Mail, Thunderbird, Yahoo, mobile apps), not a guess at a grammar.
// ASCII letters match in any case; other letters as written.

#include <span>
#include <string_view>

namespace forumgate::mime::patterns {

// The words an attribution ends with, before its final colon ("On <date>,
// <name> wrote:", "Le <date>, <name> a écrit :").
extern const std::span<const std::string_view> attribution_ends;

// A verb inside an attribution that ends with the author's name and a
// colon ("Am <date> schrieb <name>:").
extern const std::span<const std::string_view> attribution_verbs;

// How an attribution starts ("On ", "Le ", "Am "): with one of these, an
// attribution without a date or an address ("On Monday, Bob wrote:")
// still counts when a quote follows it.
extern const std::span<const std::string_view> attribution_leads;

// What a header line of a quoted message is about, in Outlook's, Lotus
// Notes' and the webmails' header blocks.
enum class HeaderRole { from, date, to, cc, subject };
struct HeaderName {
  std::string_view name;
  HeaderRole role;
};
extern const std::span<const HeaderName> header_names;

// "-----Original Message-----" and its translations: the words between the
// dashes.
extern const std::span<const std::string_view> original_message;

// "---------- Forwarded message ---------" and its translations (Gmail,
// Thunderbird, Lotus Notes): the words between the dashes.
extern const std::span<const std::string_view> forwarded_message;

// Apple Mail's line before a forwarded message ("Begin forwarded
// message:"), without its colon.
extern const std::span<const std::string_view> forward_intro;

// The Subject prefixes a forward gets ("Fwd:", "TR:", "WG:"), colon
// included.
extern const std::span<const std::string_view> forward_subject;

// The line a mobile or webmail client adds below the text ("Sent from my
// iPhone", "Von meinem iPhone gesendet", "iPhoneから送信"): it starts with
// prefix and ends with suffix (either may be empty).
struct SignatureLine {
  std::string_view prefix;
  std::string_view suffix;
};
extern const std::span<const SignatureLine> signature_lines;

}  // namespace forumgate::mime::patterns
