#pragma once
// Plain-text bodies: format=flowed, reply trimming, stubs.

#include <string>
#include <string_view>

namespace forumgate::mime {

// RFC 3676 format=flowed unwrapped into paragraphs (soft line breaks
// joined, DelSp=yes honoured, space-stuffing removed, quote depth kept).
std::string unflow(std::string_view text, bool delsp);

struct TrimmedReply {
  std::string text;       // what the author wrote
  std::string quoted;     // the quoted message removed from the end, with its
                          // attribution line ("On ... wrote:")
  std::string signature;  // the signature removed ("-- " block, "Sent from my ...")
};

// Separates the new text of a reply from the quote it ends with (">" blocks,
// "On ... wrote:" in English, French, German, Spanish, Italian, Dutch,
// Portuguese, also wrapped over two lines; Outlook's "-----Original
// Message-----" and "From: / Sent:" blocks) and from the signature.
// Quotes interleaved with new text are kept in text. Never returns an empty
// text when the input had text: then nothing is trimmed.
TrimmedReply trim_reply(std::string_view text);

// Whether a text/plain alternative is only a stub ("This is an HTML
// message", "Your mail client does not support HTML", empty or white
// space only), so that the HTML alternative should be used instead.
bool is_stub_text(std::string_view text);

}  // namespace forumgate::mime
