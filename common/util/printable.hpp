#pragma once
// Text for a person's terminal or a log line, whatever bytes it came with.
//
// A file name, a charset, a header from a stranger's message can carry
// bytes a terminal obeys (ESC sequences that retitle the window or rewrite
// what is on screen, BEL, CR that hides what came before) or a log reader
// splits at (LF, NUL), and Unicode controls that reorder what a person reads
// (U+202E). They are shown, never sent: C0 controls and DEL as cat -v shows
// them ("^[", "^G", "^M", "^@", "^?"), the C1 controls and the bidi
// controls (U+202A-U+202E, U+2066-U+2069) as less shows them ("<U+202E>"),
// and bytes that are not UTF-8 as "\xHH", since an 8-bit terminal takes
// 0x9B alone for CSI. TAB is kept; everything else, UTF-8 included, is left
// as it is.

#include <string>
#include <string_view>

namespace forumgate::util {

// Lines: whether LF ends a line of text meant to be shown as lines (a
// message's body on a terminal), or is one more control to show.
enum class Newlines { shown, kept };

std::string printable(std::string_view text, Newlines newlines = Newlines::shown);

// Whether printable(text, newlines) would change nothing.
bool is_printable(std::string_view text, Newlines newlines = Newlines::shown);

}  // namespace forumgate::util
