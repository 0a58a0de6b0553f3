#include <gtest/gtest.h>

#include <string>

#include "mime/reply.hpp"
#include "mime/reply_markers.hpp"
#include "scaling.hpp"

using forumgate::mime::ReplyContext;
using forumgate::mime::trim_reply;
using forumgate::mime::TrimmedReply;
namespace markers = forumgate::mime::markers;

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
  r = trim_reply("Ok.\n\n*From:* Ann\n*Sent:* Monday\n*To:* Bob\n*Subject:* Plan\n\nPlan\n");  // from HTML
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
  // The answered lines stay; the attribution above them goes.
  EXPECT_EQ(r.text, "> Question one?\nAnswer one.\n\n> Question two?\nAnswer two.");
  EXPECT_EQ(r.quoted, "On Mon, 3 Feb 2025, Ann wrote:");
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
  // Bottom posting: the text is below the quote, the signature goes.
  r = trim_reply("> Ok?\nYes.\n-- \nAnn\n");
  EXPECT_EQ(r.text, "Yes.");
  EXPECT_EQ(r.quoted, "> Ok?");
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

TEST(TrimReply, SignatureBelowTheQuote) {
  TrimmedReply t = trim_reply("Try nolock.\n\nOn Mon, 23 Nov 2026 at 12:00, A <a@x> wrote:\n> it fails\n\n-- \nBob\n");
  EXPECT_EQ(t.text, "Try nolock.");
  EXPECT_EQ(t.quoted, "On Mon, 23 Nov 2026 at 12:00, A <a@x> wrote:\n> it fails");
  EXPECT_EQ(t.signature, "-- \nBob");
  // A "-- " line inside the quote is the quoted author's signature.
  t = trim_reply("Yes.\n\nOn Mon, 23 Nov 2026, A <a@x> wrote:\n> q\n> -- \n> A\n");
  EXPECT_EQ(t.text, "Yes.");
  EXPECT_EQ(t.signature, "");
}

TEST(ReplyMarkers, AttributionStrength) {
  using A = markers::Attribution;
  EXPECT_EQ(markers::attribution("On Tue, Dec 1, 2026 at 9:03 PM John <john@example.com> wrote:"), A::certain);
  EXPECT_EQ(markers::attribution("Le 01/12/2026 \xC3\xA0 21:03, Jean a \xC3\xA9"
                                 "crit :"),
            A::certain);
  EXPECT_EQ(markers::attribution("---- On Tue, 22 Dec 2015 14:17:36 +0530 Ravi <r@example.in> wrote ----"), A::certain);
  EXPECT_EQ(markers::attribution("Am 01.12.26 um 21:03 schrieb Hans:"), A::certain);  // the verb inside
  // Without a time or an address: only when a quote follows.
  EXPECT_EQ(markers::attribution("On Monday, Bob wrote:"), A::if_quote_follows);
  EXPECT_EQ(markers::attribution("On 3 May 1945, my grandfather wrote:"), A::if_quote_follows);
  EXPECT_EQ(markers::attribution("2016-03-03 17:21 GMT+01:00 Some One <a@example.com>:"), A::if_quote_follows);
  // Not attributions at all.
  EXPECT_EQ(markers::attribution("He rewrote:"), A::none);
  EXPECT_EQ(markers::attribution("On Monday, Bob wrote a poem."), A::none);
  EXPECT_EQ(markers::attribution("Am Ende schrieb er nur: danke"), A::none);
  EXPECT_EQ(markers::attribution(std::string(500, 'x') + " wrote:"), A::none);
}

TEST(ReplyMarkers, BidiMarksAndFullWidthColons) {
  // Gmail wraps Hebrew attributions in bidirectional marks.
  EXPECT_EQ(markers::attribution("\xE2\x80\xAB"
                                 "2026 21:03 \xD7\x9E\xD7\x90\xD7\xAA David <d@example.co.il>:\xE2\x80\xAC"),
            markers::Attribution::certain);  // מאת: "from", Gmail's word
  // 写道： with U+FF1A.
  EXPECT_EQ(markers::attribution("Zhang <z@example.cn> 2026 21:03\xE5\x86\x99\xE9\x81\x93\xEF\xBC\x9A"),
            markers::Attribution::certain);
}

TEST(ReplyMarkers, HeaderLines) {
  using R = forumgate::mime::patterns::HeaderRole;
  EXPECT_EQ(markers::header_line("From: John <john@example.com>"), R::from);
  EXPECT_EQ(markers::header_line("*Sent:* Tuesday"), R::date);
  EXPECT_EQ(markers::header_line("De\xC2\xA0: Jean"), R::from);  // French: no-break space before the colon
  EXPECT_EQ(markers::header_line("Objet : Test"), R::subject);
  EXPECT_EQ(markers::header_line("\xE5\x8F\x91\xE4\xBB\xB6\xE4\xBA\xBA\xEF\xBC\x9A Zhang"), R::from);  // 发件人：
  EXPECT_EQ(markers::header_line("From:\tJohn Smith/ACME@ACME"), R::from);                             // Lotus Notes
  EXPECT_FALSE(markers::header_line("Fromage: brie"));
  EXPECT_FALSE(markers::header_line("From the start: it was clear"));
}

TEST(ReplyMarkers, SeparatorsAndForwards) {
  EXPECT_TRUE(markers::is_original_message("-----Original Message-----"));
  EXPECT_TRUE(markers::is_original_message("*-------- Original Message --------*"));
  EXPECT_TRUE(
      markers::is_original_message("-----Urspr\xC3\xBC"
                                   "ngliche Nachricht-----"));
  EXPECT_FALSE(markers::is_original_message("The original message was lost."));
  EXPECT_TRUE(markers::is_forward_marker("---------- Forwarded message ---------"));
  EXPECT_TRUE(markers::is_forward_marker("----- Forwarded by John Smith/ACME on 12/01/2026 09:03 PM -----"));
  EXPECT_TRUE(markers::is_forward_marker("Begin forwarded message:"));
  EXPECT_FALSE(markers::is_forward_marker("Begin forwarded message: it was long"));
  EXPECT_TRUE(markers::is_rule("________________________________"));
  EXPECT_FALSE(markers::is_rule("_____ name _____"));
  EXPECT_TRUE(markers::is_forward_subject("Fwd: Party"));
  EXPECT_TRUE(markers::is_forward_subject("WG: Rechnung"));
  EXPECT_FALSE(markers::is_forward_subject("Re: Fwd: Party"));
}

TEST(ReplyMarkers, SignatureLines) {
  EXPECT_TRUE(markers::is_signature_line("Sent from my iPhone"));
  EXPECT_TRUE(markers::is_signature_line("Sent from Outlook Mobile<https://aka.ms/blhgte>"));
  EXPECT_TRUE(markers::is_signature_line("Von meinem iPhone gesendet"));
  EXPECT_TRUE(markers::is_signature_line("iPhone\xE3\x81\x8B\xE3\x82\x89\xE9\x80\x81\xE4\xBF\xA1"));  // iPhoneから送信
  EXPECT_FALSE(
      markers::is_signature_line("Sent from my iPhone is the default signature; you can change it in "
                                 "Settings > Mail > Signature."));
  EXPECT_FALSE(markers::is_signature_line("Von hier aus"));
}

TEST(TrimReply, BottomPosting) {
  auto r = trim_reply("On Mon, 3 Feb 2025 at 10:00, Ann <ann@example.org> wrote:\n> Which version?\n\n2.4.\n");
  EXPECT_EQ(r.text, "2.4.");
  EXPECT_EQ(r.quoted, "On Mon, 3 Feb 2025 at 10:00, Ann <ann@example.org> wrote:\n> Which version?");
}

TEST(TrimReply, AttributionWrappedOverThreeLines) {
  auto r = trim_reply(
      "Yes.\n\nOn Tue, Dec 1, 2026 at 9:03 PM Maximilian Alexander\nFeatherstonehaugh <m@example.com>\nwrote:\n\n"
      "> old\n");
  EXPECT_EQ(r.text, "Yes.");
  EXPECT_EQ(r.quoted.substr(0, 6), "On Tue");
}

TEST(TrimReply, UnquotedOriginalBelowACertainAttribution) {
  auto r = trim_reply(
      "Sounds good.\n\nOn Tuesday, December 1, 2026, 09:03 PM GMT, Ann <ann@example.org> wrote:\n\n"
      "Lunch on Friday?\n");
  EXPECT_EQ(r.text, "Sounds good.");
  EXPECT_EQ(r.quoted, "On Tuesday, December 1, 2026, 09:03 PM GMT, Ann <ann@example.org> wrote:\n\nLunch on Friday?");
}

TEST(TrimReply, Forwards) {
  std::string fwd =
      "FYI.\n\n-- \nBob\n\n---------- Forwarded message ---------\nFrom: Ann <ann@example.org>\n"
      "Date: Tue, Dec 1, 2026 at 9:03 PM\nSubject: Plan\n\n> quoted in the forwarded mail\nThe plan.\n";
  auto r = trim_reply(fwd);
  EXPECT_EQ(r.text,
            "FYI.\n\n---------- Forwarded message ---------\nFrom: Ann <ann@example.org>\n"
            "Date: Tue, Dec 1, 2026 at 9:03 PM\nSubject: Plan\n\n> quoted in the forwarded mail\nThe plan.");
  EXPECT_EQ(r.signature, "-- \nBob");
  EXPECT_EQ(r.quoted, "");
  // An Outlook header block is a forward's under a forward's subject, a
  // reply's quote otherwise.
  std::string outlook =
      "See below.\n\nFrom: Ann <ann@example.org>\nSent: Tuesday\nTo: Bob\nSubject: Plan\n\nThe plan.\n";
  EXPECT_EQ(trim_reply(outlook, ReplyContext{"FW: Plan"}).text,
            "See below.\n\nFrom: Ann <ann@example.org>\nSent: "
            "Tuesday\nTo: Bob\nSubject: Plan\n\nThe plan.");
  EXPECT_EQ(trim_reply(outlook, ReplyContext{"RE: Plan"}).text, "See below.");
}

TEST(TrimReply, RemovedLinesKeepTheirOrder) {
  auto r = trim_reply("> q1\nA1\n> q2\nA2\n-- \nBob\n\nOn Mon, 3 Feb 2025 at 10:00, Ann <a@example.org> wrote:\n> q\n");
  EXPECT_EQ(r.text, "> q1\nA1\n> q2\nA2");
  EXPECT_EQ(r.signature, "-- \nBob");
  EXPECT_EQ(r.quoted, "On Mon, 3 Feb 2025 at 10:00, Ann <a@example.org> wrote:\n> q");
}

// Linear in the body, for the bodies that would make a careless trimmer
// rescan: quote markers, attribution-like and header-like lines, markers
// of every kind, and one 10 MiB line. Measured as growth (640 KiB against
// 10 MiB, CPU time on this machine), never as a time.
TEST(TrimReply, TimeIsLinearInTheBody) {
  const std::string_view units[] = {
      "> quoted line\n",
      ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>\n",
      "On Tue, Dec 1, 2026 at 9:03 PM John Smith <john@example.com> wrote:\n",
      "On Tue, Dec 1, 2026 at 9:03 PM John Smith\n",
      "From: John Smith <john@example.com>\nSent: Tuesday\n",
      "> q\nanswer\n",
      "-- \n",
      "Sent from my iPhone\n",
      "---------- Forwarded message ---------\n",
      "________________________________\n",
      "text\n\n",
  };
  constexpr std::size_t n = 640 << 10;
  for (std::string_view unit : units) {
    double growth = forumgate::test::growth(
        [&](std::size_t size) {
          std::string body = forumgate::test::repeat(unit, size);
          TrimmedReply r = trim_reply(body);
          EXPECT_FALSE(r.text.empty());
        },
        n);
    EXPECT_LT(growth, forumgate::test::linear_growth) << "unit: " << unit;
  }
  double growth = forumgate::test::growth(
      [](std::size_t size) {
        std::string line(size, ' ');
        line += "x";
        EXPECT_EQ(trim_reply(line).text, line);
      },
      n);
  EXPECT_LT(growth, forumgate::test::linear_growth);
}

TEST(TrimReply, AttributionWrappedBeforeTheClosingBracket) {
  // Gmail wraps "<address\n> wrote:": the last line looks quoted.
  auto r = trim_reply("Yes.\n\nOn Tue, Dec 1, 2026 at 9:03 PM Ann <ann.example@example.org\n> wrote:\n\n> old\n");
  EXPECT_EQ(r.text, "Yes.");
  EXPECT_EQ(r.quoted, "On Tue, Dec 1, 2026 at 9:03 PM Ann <ann.example@example.org\n> wrote:\n\n> old");
  r = trim_reply("On Tue, Dec 1, 2026 at 9:03 PM Ann <ann.example@example.org\n> wrote:\n> q1\na1\n> q2\na2\n");
  EXPECT_EQ(r.text, "> q1\na1\n> q2\na2");
}
