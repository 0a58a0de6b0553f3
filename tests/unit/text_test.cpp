#include <gtest/gtest.h>

#include "mime/text.hpp"

using forumgate::mime::is_stub_text;
using forumgate::mime::unflow;

// RFC 3676 section 4.1: a line ending in a space is flowed; it and the
// lines after it, to the first fixed line, are one paragraph.
TEST(Unflow, SoftBreaksJoined) {
  EXPECT_EQ(unflow("This is a paragraph \nthat goes on \nand ends.\nNext line.\n", false),
            "This is a paragraph that goes on and ends.\nNext line.\n");
  EXPECT_EQ(unflow("Fixed\nlines\n", false), "Fixed\nlines\n");
  EXPECT_EQ(unflow("no newline at end", false), "no newline at end");
  EXPECT_EQ(unflow("a \r\nb\r\n", false), "a b\n");
}

// Section 4.2: DelSp=yes, the space that marks the line as flowed is not
// part of the text (for languages written without spaces).
TEST(Unflow, DelSpRemovesTheFlowingSpace) {
  EXPECT_EQ(unflow("\xE6\x97\xA5\xE6\x9C\xAC \n\xE8\xAA\x9E\n", true), "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\n");
  EXPECT_EQ(unflow("abc \ndef\n", true), "abcdef\n");
  EXPECT_EQ(unflow("abc  \ndef\n", true), "abc def\n");
}

// Section 4.4: one leading space is removed (it protects "From ", ">" and
// a leading space).
TEST(Unflow, SpaceStuffingRemoved) {
  EXPECT_EQ(unflow(" From the start\n >not a quote\n  indented\n", false), "From the start\n>not a quote\n indented\n");
}

// Section 4.5: quote depth is the number of '>'; a flowed line followed by
// a line of another depth ends there.
TEST(Unflow, QuoteDepthKept) {
  EXPECT_EQ(unflow("> quoted text \n> continues\n>> deeper \n>> still\nmine\n", false),
            "> quoted text continues\n>> deeper still\nmine\n");
  EXPECT_EQ(unflow("> flowed but \n>> depth changes\n", false), "> flowed but \n>> depth changes\n");
  EXPECT_EQ(unflow(">\n", false), ">\n");
}

// Section 4.3: "-- " is the signature separator, never a flowed line, and
// a flowed line before it ends there.
TEST(Unflow, SignatureSeparatorNeverJoined) {
  EXPECT_EQ(unflow("Bye \n-- \nAnn \nSmith\n", false), "Bye \n-- \nAnn Smith\n");
  EXPECT_EQ(unflow("Bye\n-- \nAnn\n", true), "Bye\n-- \nAnn\n");
}

TEST(Unflow, FlowedLineBeforeBlankLineEndsTheParagraph) {
  EXPECT_EQ(unflow("One \ntwo \n\nThree\n", false), "One two \nThree\n");
}

// The examples RFC 3676 works through, as a sender following it writes
// them (CRLF line ends, "~" of the RFC written as the spaces it stands for).

// Three paragraphs (the March Hare example): each flowed line joins the
// next; the fixed line ends the paragraph, the empty lines stay.
TEST(Unflow, Rfc3676ThreeParagraphs) {
  EXPECT_EQ(unflow("`Take some more tea,' the March Hare said to Alice, very \r\n"
                   "earnestly.\r\n"
                   "\r\n"
                   "`I've had nothing yet,' Alice replied in an offended tone, `so I \r\n"
                   "can't take more.'\r\n"
                   "\r\n"
                   "`You mean you can't take LESS,' said the Hatter: `it's very easy \r\n"
                   "to take MORE than nothing.'\r\n",
                   false),
            "`Take some more tea,' the March Hare said to Alice, very earnestly.\n"
            "\n"
            "`I've had nothing yet,' Alice replied in an offended tone, `so I can't take more.'\n"
            "\n"
            "`You mean you can't take LESS,' said the Hatter: `it's very easy to take MORE than nothing.'\n");
}

// Section 4.5: the same dialogue quoted at three depths; only lines of one
// depth flow together, and each paragraph keeps its depth.
TEST(Unflow, Rfc3676QuotedDepths) {
  EXPECT_EQ(unflow(">>>Take some more tea.\r\n"
                   ">>I've had nothing yet, so I can't take more.\r\n"
                   ">You mean you can't take LESS, it's very easy to take \r\n"
                   ">MORE than nothing.\r\n",
                   false),
            ">>> Take some more tea.\n"
            ">> I've had nothing yet, so I can't take more.\n"
            "> You mean you can't take LESS, it's very easy to take MORE than nothing.\n");
  // Quoted and space-stuffed: the space after the quote marks is stuffing.
  EXPECT_EQ(unflow("> Take some more \r\n> tea.\r\n", false), "> Take some more tea.\n");
  // A flowed line before a deeper quote is not joined to it.
  EXPECT_EQ(unflow(">> very \r\n>>> earnestly.\r\n", false), ">> very \n>>> earnestly.\n");
}

// Section 4.1 with DelSp=yes: the space before each soft break goes, the
// others stay; a line of spaces only is flowed too.
TEST(Unflow, Rfc3676DelSp) {
  EXPECT_EQ(unflow("Take some more tea, \r\nsaid the Hare.\r\n", true), "Take some more tea,said the Hare.\n");
  EXPECT_EQ(unflow("Take some more  \r\ntea.\r\n", true), "Take some more tea.\n");
  EXPECT_EQ(unflow("Take \r\n   \r\ntea.\r\n", false), "Take   tea.\n");
  EXPECT_EQ(unflow("Take \r\n   \r\ntea.\r\n", true), "Take tea.\n");
}

// Section 4.4: a leading space is stuffing, also before "From " and ">",
// and it is removed before the line is tested for flowing.
TEST(Unflow, Rfc3676SpaceStuffing) {
  EXPECT_EQ(unflow(" From the Hatter's \r\n >point of view \r\n  it was tea time.\r\n", false),
            "From the Hatter's >point of view  it was tea time.\n");
  EXPECT_EQ(unflow(" \r\nAlice\r\n", false), "\nAlice\n");  // one space: stuffing, an empty fixed line
}

// Section 4.3: "-- " (quoted or not, stuffed or not) is neither flowed nor
// fixed: never joined to the line before or after it, and its space stays
// even with DelSp=yes.
TEST(Unflow, Rfc3676SignatureSeparator) {
  EXPECT_EQ(unflow("Bye for now \r\n-- \r\nThe March \r\nHare\r\n", false), "Bye for now \n-- \nThe March Hare\n");
  EXPECT_EQ(unflow("Bye \r\n-- \r\nHare\r\n", true), "Bye\n-- \nHare\n");
  EXPECT_EQ(unflow("> Bye \r\n> -- \r\n> Hare\r\n", false), "> Bye \n> -- \n> Hare\n");
  EXPECT_EQ(unflow(">-- \r\n>Hare\r\n", true), "> -- \n> Hare\n");
  EXPECT_EQ(unflow(" -- \r\nHare\r\n", false), "-- \nHare\n");
}

TEST(TextStub, WhatMailersSendAsThePlainPart) {
  EXPECT_TRUE(is_stub_text(""));
  EXPECT_TRUE(is_stub_text(" \r\n\t\n"));
  EXPECT_TRUE(is_stub_text("This is an HTML message. Your mail client does not support HTML.\n"));
  EXPECT_TRUE(is_stub_text("To view this message, please use an HTML-capable email reader."));
  EXPECT_TRUE(is_stub_text("Your email program does not support HTML"));
  EXPECT_FALSE(is_stub_text("Hello,\n\nthe meeting is at ten.\n"));
  EXPECT_FALSE(is_stub_text("I attached the HTML file."));
  EXPECT_FALSE(is_stub_text(std::string(400, 'x') + " view this in an HTML reader"));
}
