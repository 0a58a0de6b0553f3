// The forum adapter's pure parts: routing, charsets for the forum's
// columns, statement names and identifiers.

#include <gtest/gtest.h>

#include "forum/body.hpp"
#include "forum/profile.hpp"
#include "forum/route.hpp"
#include "util/error.hpp"

using namespace forumgate;
using namespace forumgate::forum;

TEST(AddressPattern, ForumsAndActions) {
  AddressPattern p("{forum}@forum.example.org");
  auto r = p.match("Linux@Forum.Example.Org");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->forum, "linux");
  EXPECT_EQ(r->action, Action::post);
  r = p.match("linux-subscribe@forum.example.org");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->forum, "linux");
  EXPECT_EQ(r->action, Action::subscribe);
  r = p.match("linux+unsubscribe@forum.example.org");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->action, Action::unsubscribe);
  r = p.match("linux-confirm-0123abcd@forum.example.org");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->action, Action::confirm);
  EXPECT_EQ(r->token, "0123abcd");
  // A forum whose name holds '-' keeps it; an unknown suffix is part of the name.
  r = p.match("gnu-linux-subscribe@forum.example.org");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->forum, "gnu-linux");
  r = p.match("gnu-linux@forum.example.org");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->forum, "gnu-linux");
  EXPECT_EQ(r->action, Action::post);
  EXPECT_FALSE(p.match("linux@elsewhere.org"));
  EXPECT_FALSE(p.match("@forum.example.org"));
  EXPECT_FALSE(p.match("we ird@forum.example.org"));
}

TEST(AddressPattern, PrefixesAndAnyDomain) {
  AddressPattern p("forum-{forum}@lists.example.org");
  auto r = p.match("forum-kernel@lists.example.org");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->forum, "kernel");
  EXPECT_FALSE(p.match("kernel@lists.example.org"));
  AddressPattern any("{forum}@");
  r = any.match("linux@anything.example");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->forum, "linux");
  EXPECT_THROW(AddressPattern("forum@example.org"), Error);
}

TEST(FitCharset, Latin1KeepsWindows1252AndEscapesTheRest) {
  // € (U+20AC) is windows-1252's 0x80, which MySQL's latin1 holds; → and
  // 中 are not.
  EXPECT_EQ(fit_charset("caf\u00e9 \u20ac \u2192 \u4e2d", "latin1"), "caf\u00e9 \u20ac &#8594; &#20013;");
  EXPECT_EQ(fit_charset("\U0001F600 \u00e9", "utf8mb3"), "&#128512; \u00e9");
  EXPECT_EQ(fit_charset("\U0001F600", "utf8mb4"), "\U0001F600");
  EXPECT_EQ(fit_charset("\u00e9", "koi8r"), "&#233;");
}

TEST(Body, EscapeAndTruncate) {
  EXPECT_EQ(escape_html("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(truncate_utf8("d\u00e9j\u00e0", 2), "d");  // never half of é
  EXPECT_EQ(truncate_utf8("d\u00e9j\u00e0", 3), "d\u00e9");
}

TEST(Body, AsciiAddressOrNothing) {
  EXPECT_EQ(ascii_address("Guest@Example.COM"), "Guest@Example.COM");
  EXPECT_EQ(ascii_address("jos\xC3\xA9@example.org"), "");
  EXPECT_EQ(ascii_address("a b@example.org"), "");
  EXPECT_EQ(ascii_address("a\n@example.org"), "");
  EXPECT_EQ(ascii_address(std::string(250, 'a') + "@x.org"), "");
  EXPECT_EQ(ascii_address(std::string(249, 'a') + "@x.org"), std::string(249, 'a') + "@x.org");
}

TEST(TextToHtml, EscapesAndMakesParagraphs) {
  EXPECT_EQ(text_to_html("Hello <you> & \"them\"\nsecond line\n\n\nNew para"),
            "<p>Hello &lt;you&gt; &amp; \"them\"<br>\nsecond line</p>\n<p>New para</p>");
  EXPECT_EQ(text_to_html("a\r\nb\r\n"), "<p>a<br>\nb</p>");
  EXPECT_EQ(text_to_html(""), "");
  EXPECT_EQ(text_to_html("\n \n"), "");
}

TEST(TextToHtml, LinksHttpUrls) {
  EXPECT_EQ(text_to_html("See https://example.org/a?b=1&c=2."),
            "<p>See <a href=\"https://example.org/a?b=1&amp;c=2\">https://example.org/a?b=1&amp;c=2</a>.</p>");
  EXPECT_EQ(text_to_html("(http://example.org/x_(y)) <http://a.org>"),
            "<p>(<a href=\"http://example.org/x_(y)\">http://example.org/x_(y)</a>) "
            "&lt;<a href=\"http://a.org\">http://a.org</a>&gt;</p>");
  EXPECT_EQ(text_to_html("javascript:alert(1) ftp://x"), "<p>javascript:alert(1) ftp://x</p>");
  EXPECT_EQ(text_to_html("http:// alone"), "<p>http:// alone</p>");
}

TEST(Profile, IdentifiersAndOverrides) {
  Profile p = Profile::wagora("agora");
  EXPECT_EQ(p.sql("find_post", "agora_linux"), "SELECT cle, thread FROM `agora_linux` WHERE cle = ?");
  EXPECT_THROW(p.sql("find_post", "x`; DROP TABLE y; --"), Error);
  EXPECT_THROW(Profile::wagora("agora; DROP"), Error);
  EXPECT_THROW(p.override_statement("no_such", "SELECT 1"), Error);
  p.override_statement("find_user", "SELECT login, '', '', '' FROM people WHERE mail = ?");
  EXPECT_EQ(p.sql("find_user"), "SELECT login, '', '', '' FROM people WHERE mail = ?");
  EXPECT_THROW(check_identifier("123", "table"), Error);
  EXPECT_NO_THROW(check_identifier("agora_fg_messages", "table"));
}

#include "forum/auth.hpp"

TEST(Authenticated, DmarcOrAlignedDkimFromTheTrustedServerOnly) {
  const std::string from = "amelie@mail.example.org";
  // RFC 8601 appendix B-style values.
  EXPECT_TRUE(authenticated({"mx.forum.org; dmarc=pass header.from=mail.example.org"}, "mx.forum.org", from));
  EXPECT_TRUE(authenticated({"mx.forum.org 1; dkim=pass (good signature) header.d=example.org"}, "mx.forum.org",
                            from));  // a parent domain aligns (relaxed)
  EXPECT_TRUE(authenticated({"mx.forum.org; spf=fail; dkim=pass header.i=@mail.example.org"}, "MX.forum.org", from));
  EXPECT_FALSE(authenticated({"mx.forum.org; dkim=pass header.d=evil.example"}, "mx.forum.org", from));
  EXPECT_FALSE(authenticated({"mx.forum.org; dkim=pass header.d=xample.org"}, "mx.forum.org", from));
  EXPECT_FALSE(authenticated({"mx.forum.org; dmarc=fail; dkim=fail header.d=example.org"}, "mx.forum.org", from));
  EXPECT_FALSE(authenticated({"attacker.example; dmarc=pass"}, "mx.forum.org", from));
  EXPECT_FALSE(authenticated({"mx.forum.org.evil; dmarc=pass"}, "mx.forum.org", from));
  EXPECT_FALSE(authenticated({"mx.forum.org; none"}, "mx.forum.org", from));
  EXPECT_FALSE(authenticated({}, "mx.forum.org", from));
  EXPECT_TRUE(authenticated({"other; dmarc=pass", "mx.forum.org; dmarc=pass header.from=mail.example.org"},
                            "mx.forum.org", from));
  // DMARC's pass is for the domain it names: another domain's is no pass.
  EXPECT_FALSE(authenticated({"mx.forum.org; dmarc=pass header.from=attacker.example"}, "mx.forum.org", from));
  EXPECT_FALSE(authenticated({"mx.forum.org; dmarc=pass"}, "mx.forum.org", from));
}
