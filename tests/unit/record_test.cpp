// post::dump_json against the nlohmann tree it stands in for: the same
// bytes, whatever the strings hold.
#include "post/record.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

using forumgate::post::Attachment;
using forumgate::post::dump_json;
using forumgate::post::Record;

namespace {

std::string tree_dump(const Record& r) {
  nlohmann::ordered_json j = r;
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Record full_record(const std::string& s) {
  Record r;
  r.message_id = "<" + s + "@x>";
  r.references = {"<a@b>", s};
  r.date = -1234567890;
  r.from = {s, "a@b.example"};
  r.to = {{"", "x@y"}, {s, s}};
  r.delivered_to = {s};
  r.envelope_sender = "";
  r.subject = s;
  r.text = s + "\n" + s;
  r.signature = s;
  r.html = "<p>" + s + "</p>";
  Attachment a;
  a.part = "1.2";
  a.filename = s;
  a.size = 18446744073709551615u;
  a.path = "/tmp/" + s;
  a.placeholder = "[image: " + s + "]";
  r.attachments = {a, Attachment{}};
  r.defects = {"part 1: " + s};
  r.size = 42;
  return r;
}

}  // namespace

TEST(DumpJson, EmptyRecordIsTheTreesDump) { EXPECT_EQ(dump_json(Record{}), tree_dump(Record{})); }

TEST(DumpJson, EscapesAsTheTreeDoes) {
  for (std::string s :
       {std::string("plain"), std::string("quote \" back \\ slash /"), std::string("\b\f\n\r\t\x01\x1f\x7f"),
        std::string("nul \0 inside", 12), std::string("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), std::string()})
    EXPECT_EQ(dump_json(full_record(s)), tree_dump(full_record(s))) << s;
}

TEST(DumpJson, InvalidUtf8IsReplacedAsTheTreeReplacesIt) {
  for (std::string s : {"\xff", "a\xC3", "\xC3(", "\xE0\x80\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xF0\x9F\x98",
                        "ok \xC0\xAF then \xE2\x82\xAC", "\x80\x80x"})
    EXPECT_EQ(dump_json(full_record(s)), tree_dump(full_record(s))) << s;
}

TEST(DumpJson, RandomBytesGiveTheTreesDump) {
  std::mt19937 random(3676);
  for (int round = 0; round < 3000; ++round) {
    std::string s;
    size_t size = random() % 12;
    for (size_t i = 0; i < size; ++i) {
      unsigned pick = random() % 4;
      s.push_back(static_cast<char>(pick == 0   ? random() % 0x20
                                    : pick == 1 ? 0x80 + random() % 0x80
                                                : random() % 0x100));
    }
    ASSERT_EQ(dump_json(full_record(s)), tree_dump(full_record(s)));
  }
}
