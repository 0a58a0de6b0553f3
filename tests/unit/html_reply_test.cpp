// The HTML quote finder: each client's structure, forwards, answers between
// quotes, and time linear in the HTML.

#include "mime/html_reply.hpp"

#include <gtest/gtest.h>

#include <string>

#include "scaling.hpp"

using forumgate::mime::split_html_reply;

TEST(HtmlReply, GmailQuoteAndSignature) {
  auto r = split_html_reply(
      "<div dir=\"ltr\">Yes.</div><span class=\"gmail_signature_prefix\">-- </span><br>"
      "<div class=\"gmail_signature\">Ann</div>"
      "<div class=\"gmail_quote\"><div class=\"gmail_attr\">On Mon, Ann wrote:<br></div>"
      "<blockquote class=\"gmail_quote\">old</blockquote></div>");
  EXPECT_TRUE(r.found);
  EXPECT_EQ(r.html, "<div dir=\"ltr\">Yes.</div><br><div class=\"gmail_quote\"></div>");
  EXPECT_EQ(r.signature, "<span class=\"gmail_signature_prefix\">-- </span><div class=\"gmail_signature\">Ann</div>");
  EXPECT_EQ(r.quoted,
            "<div class=\"gmail_attr\">On Mon, Ann wrote:<br></div><blockquote class=\"gmail_quote\">old</blockquote>");
}

TEST(HtmlReply, AnswersBetweenQuotesKeepThem) {
  std::string html =
      "<blockquote type=\"cite\">q1</blockquote><p>a1</p><blockquote type=\"cite\">q2</blockquote><p>a2</p>"
      "<blockquote type=\"cite\">unanswered</blockquote>";
  auto r = split_html_reply(html);
  EXPECT_EQ(r.html,
            "<blockquote type=\"cite\">q1</blockquote><p>a1</p><blockquote type=\"cite\">q2</blockquote><p>a2</p>");
  EXPECT_EQ(r.quoted, "<blockquote type=\"cite\">unanswered</blockquote>");
}

TEST(HtmlReply, OutlookCutsToTheEndFromTheRuleAboveItsHeader) {
  std::string html =
      "<div>Ok.</div><hr tabindex=\"-1\"><div id=\"divRplyFwdMsg\"><b>From:</b> Ann</div><div>Plan</div>";
  auto r = split_html_reply(html);
  EXPECT_EQ(r.html, "<div>Ok.</div>");
  EXPECT_EQ(r.quoted, "<hr tabindex=\"-1\"><div id=\"divRplyFwdMsg\"><b>From:</b> Ann</div><div>Plan</div>");
  // Under a forward's subject it is the forwarded message: nothing is cut.
  r = split_html_reply(html, "FW: Plan");
  EXPECT_EQ(r.html, html);
  EXPECT_EQ(r.quoted, "");
}

TEST(HtmlReply, WordHeaderBlock) {
  std::string html =
      "<p class=MsoNormal>Ok.</p><div style='border:none;border-top:solid #E1E1E1 1.0pt'>"
      "<p class=MsoNormal><b>Von:</b> Ann</p></div><p class=MsoNormal>Plan</p>";
  auto r = split_html_reply(html);
  EXPECT_EQ(r.html, "<p class=MsoNormal>Ok.</p>");
  // A bordered box that is no header block stays.
  std::string box = "<p>Ok.</p><div style=\"border-top: solid 1px\"><p>Note</p></div>";
  EXPECT_EQ(split_html_reply(box).html, box);
}

TEST(HtmlReply, ForwardsAreNeverCut) {
  std::string gmail =
      "<div>FYI</div><div class=\"gmail_quote\"><div class=\"gmail_attr\">---------- Forwarded message "
      "---------<br>From: Ann</div><blockquote class=\"gmail_quote\">q</blockquote><div>body</div></div>";
  EXPECT_EQ(split_html_reply(gmail).html, gmail);
  std::string apple =
      "<div>See</div><div>Begin forwarded message:</div><blockquote type=\"cite\"><div>From: Ann</div></blockquote>"
      "<blockquote type=\"cite\">body</blockquote>";
  EXPECT_EQ(split_html_reply(apple).html, apple);
}

TEST(HtmlReply, NoStructureNoChange) {
  std::string html = "<p>Hello <b>world</b></p><blockquote>a plain quote</blockquote>";
  auto r = split_html_reply(html);
  EXPECT_FALSE(r.found);
  EXPECT_EQ(r.html, html);
  // Too deep for a bounded parse: left to html_to_text's own bound.
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "<blockquote type=\"cite\">";
  deep += "x";
  r = split_html_reply("<p>Yes</p>" + deep);
  EXPECT_FALSE(r.found);
}

// Linear in the HTML, for flat quotes, Gmail's structure repeated, answers
// between quotes, and nested quotes (which only the pre-scan reads).
TEST(HtmlReply, TimeIsLinearInTheHtml) {
  const std::string_view units[] = {
      "<blockquote type=\"cite\">q</blockquote>",
      "<div class=\"gmail_quote\"><div class=\"gmail_attr\">On Mon, Ann wrote:</div><blockquote "
      "class=\"gmail_quote\">q</blockquote></div>",
      "<blockquote type=\"cite\">q</blockquote><p>answer</p>",
      "<blockquote type=\"cite\">",
      "<hr><br>",
  };
  for (std::string_view unit : units) {
    double growth = forumgate::test::growth(
        [&](std::size_t size) {
          std::string html = "<p>Yes</p>" + forumgate::test::repeat(unit, size);
          auto r = split_html_reply(html);
          EXPECT_EQ(r.html.size() + r.quoted.size() + r.signature.size(), html.size());
        },
        64 << 10);
    EXPECT_LT(growth, forumgate::test::linear_growth) << "unit: " << unit;
  }
}
