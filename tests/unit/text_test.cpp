#include <gtest/gtest.h>

#include "mime/text.hpp"

using forumgate::mime::is_stub_text;
using forumgate::mime::trim_reply;
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

TEST(TrimReply, AttributionAndQuotedTail) {
  auto r = trim_reply(
      "Sounds good.\n\nOn Mon, 3 Feb 2025 at 10:00, Ann <ann@example.org> wrote:\n"
      "> Shall we meet?\n> Ann\n");
  EXPECT_EQ(r.text, "Sounds good.");
  EXPECT_EQ(r.quoted, "On Mon, 3 Feb 2025 at 10:00, Ann <ann@example.org> wrote:\n> Shall we meet?\n> Ann");
  EXPECT_EQ(r.signature, "");
}

TEST(TrimReply, AttributionsInSevenLanguages) {
  const char* attributions[] = {
      "On Mon, Feb 3, 2025 at 10:00 AM Ann <ann@example.org> wrote:",
      "Le lun. 3 f\xC3\xA9vr. 2025 \xC3\xA0 10:00, Ann <ann@example.org> a \xC3\xA9"
      "crit :",
      "Am Mo., 3. Feb. 2025 um 10:00 Uhr schrieb Ann <ann@example.org>:",
      "El lun, 3 feb 2025 a las 10:00, Ann (<ann@example.org>) escribi\xC3\xB3:",
      "Il giorno lun 3 feb 2025 alle ore 10:00 Ann <ann@example.org> ha scritto:",
      "Op ma 3 feb. 2025 om 10:00 schreef Ann <ann@example.org>:",
      "Em seg., 3 de fev. de 2025 \xC3\xA0s 10:00, Ann <ann@example.org> escreveu:",
  };
  for (const char* a : attributions) {
    auto r = trim_reply(std::string("New text.\n\n") + a + "\n\n> old\n");
    EXPECT_EQ(r.text, "New text.") << a;
    EXPECT_EQ(r.quoted, std::string(a) + "\n\n> old") << a;
  }
}

TEST(TrimReply, AttributionWrappedOverTwoLines) {
  auto r = trim_reply(
      "Yes.\n\nOn Mon, Feb 3, 2025 at 10:00 AM Ann Example <\nann@example.org> wrote:\n"
      "\n> old\n");
  EXPECT_EQ(r.text, "Yes.");
  EXPECT_EQ(r.quoted, "On Mon, Feb 3, 2025 at 10:00 AM Ann Example <\nann@example.org> wrote:\n\n> old");
  r = trim_reply("Ja.\n\nAm Mo., 3. Feb. 2025 um 10:00 Uhr schrieb Ann\n<ann@example.org>:\n> alt\n");
  EXPECT_EQ(r.text, "Ja.");
}

TEST(TrimReply, OutlookOriginalMessage) {
  auto r = trim_reply(
      "Thanks.\n\n-----Original Message-----\nFrom: Ann\nSent: Monday\nTo: Bob\n"
      "Subject: Hi\n\nHello Bob\n");
  EXPECT_EQ(r.text, "Thanks.");
  EXPECT_EQ(r.quoted, "-----Original Message-----\nFrom: Ann\nSent: Monday\nTo: Bob\nSubject: Hi\n\nHello Bob");
  r = trim_reply("Danke.\n-----Urspr\xC3\xBCngliche Nachricht-----\nVon: Ann\n");
  EXPECT_EQ(r.text, "Danke.");
}

TEST(TrimReply, OutlookHeaderBlock) {
  auto r = trim_reply(
      "Fine by me.\n\nFrom: Ann <ann@example.org>\nSent: Monday, February 3, 2025 10:00\n"
      "To: Bob\nSubject: Plan\n\nThe plan.\n");
  EXPECT_EQ(r.text, "Fine by me.");
  EXPECT_EQ(r.quoted.substr(0, 5), "From:");
  r = trim_reply("Ok.\n\n________________________________\nFrom: Ann\nSent: Monday\n\nPlan\n");
  EXPECT_EQ(r.text, "Ok.");
  EXPECT_EQ(r.quoted, "________________________________\nFrom: Ann\nSent: Monday\n\nPlan");
  r = trim_reply("Ok.\n\n*From:* Ann\n*Sent:* Monday\n\nPlan\n");  // after HTML conversion
  EXPECT_EQ(r.text, "Ok.");
  // "From:" in a sentence is not a header block.
  r = trim_reply("From: the start, it was clear.\nWe went on.\n");
  EXPECT_EQ(r.text, "From: the start, it was clear.\nWe went on.");
  EXPECT_EQ(r.quoted, "");
}

TEST(TrimReply, QuotedTailWithoutAttribution) {
  auto r = trim_reply("Agreed.\n\n> earlier text\n> more\n");
  EXPECT_EQ(r.text, "Agreed.");
  EXPECT_EQ(r.quoted, "> earlier text\n> more");
}

TEST(TrimReply, InterleavedQuotesStay) {
  std::string text =
      "On Mon, 3 Feb 2025, Ann wrote:\n> Question one?\nAnswer one.\n\n> Question two?\n"
      "Answer two.\n";
  auto r = trim_reply(text);
  EXPECT_EQ(r.text, "On Mon, 3 Feb 2025, Ann wrote:\n> Question one?\nAnswer one.\n\n> Question two?\nAnswer two.");
  EXPECT_EQ(r.quoted, "");
}

TEST(TrimReply, AStoryIsNotAnAttribution) {
  auto r = trim_reply("Hi all,\n\nOn Monday, Bob wrote:\nthe minutes are ready.\n");
  EXPECT_EQ(r.text, "Hi all,\n\nOn Monday, Bob wrote:\nthe minutes are ready.");
}

TEST(TrimReply, Signatures) {
  auto r = trim_reply("See you.\n-- \nAnn Example\nExample Ltd.\n");
  EXPECT_EQ(r.text, "See you.");
  EXPECT_EQ(r.signature, "-- \nAnn Example\nExample Ltd.");
  r = trim_reply("See you.\n\nSent from my iPhone\n");
  EXPECT_EQ(r.text, "See you.");
  EXPECT_EQ(r.signature, "Sent from my iPhone");
  r = trim_reply("Bis dann.\n\nVon meinem iPhone gesendet\n");
  EXPECT_EQ(r.text, "Bis dann.");
  r = trim_reply("\xC3\x80 plus.\n\nEnvoy\xC3\xA9 de mon iPhone\n");
  EXPECT_EQ(r.text, "\xC3\x80 plus.");
  // Signature, then the quote (top posting).
  r = trim_reply("Yes.\n-- \nAnn\n\nOn Mon, 3 Feb 2025, Bob <b@example.org> wrote:\n> Ok?\n> -- \n> Bob\n");
  EXPECT_EQ(r.text, "Yes.");
  EXPECT_EQ(r.signature, "-- \nAnn");
  EXPECT_EQ(r.quoted, "On Mon, 3 Feb 2025, Bob <b@example.org> wrote:\n> Ok?\n> -- \n> Bob");
  // Bottom posting: the quote stays, the signature goes.
  r = trim_reply("> Ok?\nYes.\n-- \nAnn\n");
  EXPECT_EQ(r.text, "> Ok?\nYes.");
  EXPECT_EQ(r.signature, "-- \nAnn");
}

TEST(TrimReply, NeverEmptiesText) {
  auto r = trim_reply("> only a quote\n> nothing else\n");
  EXPECT_EQ(r.text, "> only a quote\n> nothing else");
  EXPECT_EQ(r.quoted, "");
  r = trim_reply("-- \nonly a signature\n");
  EXPECT_EQ(r.text, "-- \nonly a signature");
  r = trim_reply("Sent from my iPhone");
  EXPECT_EQ(r.text, "Sent from my iPhone");
  r = trim_reply("-----Original Message-----\nFrom: Ann\n\nforwarded text\n");
  EXPECT_EQ(r.text, "-----Original Message-----\nFrom: Ann\n\nforwarded text");
  r = trim_reply("");
  EXPECT_EQ(r.text, "");
}

TEST(TrimReply, CrLfLines) {
  auto r = trim_reply("Yes.\r\n\r\n> q\r\n");
  EXPECT_EQ(r.text, "Yes.");
  EXPECT_EQ(r.quoted, "> q");
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

TEST(TrimReply, SignatureBelowTheQuote) {
  forumgate::mime::TrimmedReply t = forumgate::mime::trim_reply(
      "Try nolock.\n\nOn Mon, 23 Nov 2026 at 12:00, A <a@x> wrote:\n> it fails\n\n-- \nBob\n");
  EXPECT_EQ(t.text, "Try nolock.");
  EXPECT_EQ(t.quoted, "On Mon, 23 Nov 2026 at 12:00, A <a@x> wrote:\n> it fails");
  EXPECT_EQ(t.signature, "-- \nBob");
  // A "-- " line inside the quote is the quoted author's signature.
  t = forumgate::mime::trim_reply("Yes.\n\nOn Mon, 23 Nov 2026, A <a@x> wrote:\n> q\n> -- \n> A\n");
  EXPECT_EQ(t.text, "Yes.");
  EXPECT_EQ(t.signature, "");
}
