#include <gtest/gtest.h>

#include <string>

#include "mime/encoded_words.hpp"
#include "mime/message.hpp"
#include "notify/message.hpp"

using namespace forumgate;

namespace {

notify::ListAddresses list() {
  notify::ListAddresses l;
  l.forum = "linux";
  l.title = "Linux";
  l.post = "linux@forum.example.org";
  l.unsubscribe = "linux-unsubscribe@forum.example.org";
  l.list_id = "linux.forum.example.org";
  l.loop = "forum@forum.example.org";
  return l;
}

notify::MailPost post() {
  notify::MailPost p;
  p.id = 7;
  p.thread = 5;
  p.subject = "Re: Problème de montage";
  p.html = "<p>Essayez l'option <b>nolock</b>.</p>";
  p.author = "Amélie Durand";
  p.date = 1795430400;
  p.message_id = "<7.linux@forum.example.org>";
  p.in_reply_to = "<6@example.org>";
  p.references = {"<5@example.org>", "<6@example.org>"};
  return p;
}

std::vector<std::string> names(const mime::Headers& h) {
  std::vector<std::string> out;
  for (const auto& f : h) out.push_back(f.name);
  return out;
}

}  // namespace

TEST(NotifyMessage, ListMailThatThreads) {
  std::string m = notify::build_message(post(), list(), "linux@forum.example.org");
  mime::Message parsed = mime::parse_message(m);
  EXPECT_TRUE(parsed.defects.empty()) << parsed.defects[0];
  const auto& h = parsed.root.headers;
  EXPECT_EQ(names(h), (std::vector<std::string>{"From", "Reply-To", "To", "Subject", "Date", "Message-ID",
                                                "In-Reply-To", "References", "List-Id", "List-Post", "List-Unsubscribe",
                                                "Precedence", "X-Loop", "MIME-Version", "Content-Type"}));
  EXPECT_EQ(mime::decode_header_text(*mime::find_field(h, "From")),
            "Amélie Durand via Linux <linux@forum.example.org>");
  EXPECT_EQ(*mime::find_field(h, "References"), "<5@example.org> <6@example.org>");
  EXPECT_EQ(*mime::find_field(h, "List-Unsubscribe"), "<mailto:linux-unsubscribe@forum.example.org>");
  ASSERT_EQ(parsed.root.children.size(), 2u);
  EXPECT_EQ(parsed.root.children[0].type(), "text/plain");
  EXPECT_EQ(parsed.root.children[1].type(), "text/html");
  std::string text = mime::decode_body(parsed, parsed.root.children[0]);
  EXPECT_NE(text.find("Essayez l'option nolock."), std::string::npos) << text;
  EXPECT_NE(text.find("linux-unsubscribe@forum.example.org"), std::string::npos);
  // The same post makes the same bytes: a resent message is the same.
  EXPECT_EQ(m, notify::build_message(post(), list(), "linux@forum.example.org"));
}

TEST(NotifyMessage, HostileBodyAndNamesStayInTheirPlace) {
  notify::MailPost p = post();
  p.subject = std::string("x\r\nBcc: a@b\0", 12);
  p.author = "Eve\nReply-To: evil@example.com";
  p.html = "<script>alert(1)</script>\r\n.\r\nFrom me\n--=_alt_7\n" + std::string(20000, 'y');
  std::string m = notify::build_message(p, list(), "linux@forum.example.org");
  mime::Message parsed = mime::parse_message(m);
  EXPECT_EQ(mime::find_field(parsed.root.headers, "Bcc"), nullptr);
  int reply_to = 0;
  for (const auto& f : parsed.root.headers) reply_to += f.name == "Reply-To";
  EXPECT_EQ(reply_to, 1);
  EXPECT_EQ(m.find("<script>"), std::string::npos);
  ASSERT_EQ(parsed.root.children.size(), 2u);
  for (std::size_t pos = 0, end; pos < m.size(); pos = end + 1) {
    end = m.find('\n', pos);
    if (end == std::string::npos) end = m.size();
    EXPECT_LE(end - pos, 78u) << m.substr(pos, 80);
  }
}

TEST(NotifyMessage, AttachmentsAttachedOrLinked) {
  notify::MailPost p = post();
  p.attachments.push_back({"dmesg.txt", "text/plain", std::string("line\n"), ""});
  p.attachments.push_back({"big.pdf", "application/pdf", std::nullopt, "https://forum.example.org/att/3.big.pdf"});
  std::string m = notify::build_message(p, list(), "linux@forum.example.org");
  mime::Message parsed = mime::parse_message(m);
  EXPECT_EQ(parsed.root.type(), "multipart/mixed");
  ASSERT_EQ(parsed.root.children.size(), 2u);
  EXPECT_EQ(parsed.root.children[1].filename(), "dmesg.txt");
  EXPECT_EQ(mime::decode_body(parsed, parsed.root.children[1]), "line\n");
  std::string text = mime::decode_body(parsed, parsed.root.children[0].children[0]);
  EXPECT_NE(text.find("https://forum.example.org/att/3.big.pdf"), std::string::npos);
}

TEST(NotifyMessage, UsableMessageIds) {
  EXPECT_TRUE(notify::usable_message_id("<1@example.org>"));
  EXPECT_FALSE(notify::usable_message_id("<1 2@example.org>"));
  EXPECT_FALSE(notify::usable_message_id("1@example.org"));
  EXPECT_FALSE(notify::usable_message_id("<1@a@b>"));
  EXPECT_FALSE(notify::usable_message_id("<caf\xC3\xA9@example.org>"));
  EXPECT_FALSE(notify::usable_message_id("<" + std::string(300, 'a') + "@b>"));
}
