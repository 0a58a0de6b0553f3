#include <gtest/gtest.h>

#include "util/printable.hpp"

using forumgate::util::is_printable;
using forumgate::util::printable;

// The controls a terminal obeys, shown as cat -v shows them.
TEST(Printable, C0ControlsAndDelAsCatV) {
  EXPECT_EQ(printable("a\x1b]2;owned\x07z"), "a^[]2;owned^Gz");
  EXPECT_EQ(printable("line\r\nnext"), "line^M^Jnext");
  EXPECT_EQ(printable(std::string("nul\0here", 8)), "nul^@here");
  EXPECT_EQ(printable("del\x7f"), "del^?");
  EXPECT_EQ(printable("tab\tkept"), "tab\tkept");
}

// C1 controls and the bidi controls as less shows them; other UTF-8 kept.
TEST(Printable, C1AndBidiControlsAsLess) {
  EXPECT_EQ(printable("\xc2\x9b"
                      "31m"),
            "<U+009B>31m");
  EXPECT_EQ(printable("invoice\xe2\x80\xae"
                      "fdp.exe"),
            "invoice<U+202E>fdp.exe");
  EXPECT_EQ(printable("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad"), "<U+202A><U+202B><U+202C><U+202D>");
  EXPECT_EQ(printable("\xe2\x81\xa6x\xe2\x81\xa9"), "<U+2066>x<U+2069>");
  EXPECT_EQ(printable("r\xc3\xa9sum\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xaf"),
            "r\xc3\xa9sum\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xaf");
}

// A byte that is not UTF-8 is an 8-bit terminal's control (0x9B is CSI).
TEST(Printable, BytesThatAreNotUtf8AsHex) {
  EXPECT_EQ(printable("\x9b"
                      "2J"),
            "\\x9B2J");
  EXPECT_EQ(printable("caf\xe9"), "caf\\xE9");
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xED\\xA0\\x80");  // a surrogate
  EXPECT_EQ(printable("\xe2\x80"), "\\xE2\\x80");           // cut short
}

TEST(Printable, LinesOfABodyKeepTheirEnds) {
  using forumgate::util::Newlines;
  EXPECT_EQ(printable("one\ntwo\r\n\x1b[2J\n", Newlines::kept), "one\ntwo^M\n^[[2J\n");
  EXPECT_TRUE(is_printable("a\nb\n", Newlines::kept));
  EXPECT_FALSE(is_printable("a\nb\n"));
}

TEST(Printable, PlainTextUnchanged) {
  EXPECT_TRUE(is_printable("text/plain; charset=utf-8"));
  EXPECT_TRUE(is_printable(""));
  EXPECT_FALSE(is_printable("\x1b"));
  EXPECT_FALSE(is_printable("\xe2\x80\xae"));
  EXPECT_EQ(printable("text/plain"), "text/plain");
}
