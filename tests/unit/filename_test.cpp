#include <gtest/gtest.h>

#include <iostream>

#include "scaling.hpp"

#include "mime/filename.hpp"

using forumgate::mime::FileNames;

namespace {

std::string one(std::string_view raw, std::string_view type = "application/octet-stream") {
  FileNames names;
  return names.add(raw, type);
}

}  // namespace

TEST(FileName, OrdinaryNamesKept) {
  EXPECT_EQ(one("report.pdf"), "report.pdf");
  EXPECT_EQ(one("Quarterly report (final).xlsx"), "Quarterly report (final).xlsx");
  EXPECT_EQ(one("\xC3\xA9t\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC.txt"), "\xC3\xA9t\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC.txt");
}

TEST(FileName, OnlyTheLastPathComponent) {
  EXPECT_EQ(one("../../etc/passwd"), "passwd");
  EXPECT_EQ(one("/abs/path"), "path");
  EXPECT_EQ(one("C:\\x\\y.exe"), "y.exe");
  EXPECT_EQ(one("..\\..\\boot.ini"), "boot.ini");
  EXPECT_EQ(one("dir/"), "part-1.bin");
  EXPECT_EQ(one(".."), "part-1.bin");
}

TEST(FileName, ControlsAndBidiRemoved) {
  EXPECT_EQ(one(std::string("a\0b.txt", 7)), "ab.txt");
  EXPECT_EQ(one("bell\x07.txt"), "bell.txt");
  EXPECT_EQ(one("invoice\xE2\x80\xAE"
                "fdp.exe"),
            "invoicefdp.exe");                                           // U+202E
  EXPECT_EQ(one("\xE2\x81\xA6x\xE2\x81\xA9\xE2\x80\x8F.txt"), "x.txt");  // U+2066 U+2069 U+200F
  EXPECT_EQ(one("bad\xFF\xFEutf8.txt"), "badutf8.txt");
  EXPECT_EQ(one("c1\xC2\x85.txt"), "c1.txt");  // U+0085
}

TEST(FileName, WhiteSpaceCollapsed) {
  EXPECT_EQ(one("  my \t\r\n  file\xC2\xA0\xC2\xA0name.txt  "), "my file name.txt");
}

TEST(FileName, DotsAndWindowsRules) {
  EXPECT_EQ(one(".htaccess"), "htaccess");
  EXPECT_EQ(one("...hidden.txt..."), "hidden.txt");
  EXPECT_EQ(one("CON.txt"), "_CON.txt");
  EXPECT_EQ(one("nul"), "_nul");
  EXPECT_EQ(one("com1.log"), "_com1.log");
  EXPECT_EQ(one("console.txt"), "console.txt");
  EXPECT_EQ(one("what?*<x>|\"y\":.txt"), "what___x___y__.txt");
}

TEST(FileName, LongNamesKeepTheirExtension) {
  std::string name = one(std::string(300, 'a') + ".pdf");
  EXPECT_EQ(name, std::string(116, 'a') + ".pdf");
  std::string e_acute;
  for (int i = 0; i < 200; ++i) e_acute += "\xC3\xA9";  // two bytes each
  name = one(e_acute + ".txt");
  EXPECT_EQ(name.size(), 120u);
  EXPECT_EQ(name, e_acute.substr(0, 116) + ".txt");
  name = one(std::string(119, 'a') + "\xE2\x82\xAC");  // a 3-byte character at byte 119
  EXPECT_EQ(name, std::string(119, 'a'));
  name = one("x." + std::string(200, 'e'));  // no extension: just cut
  EXPECT_EQ(name.size(), 120u);
}

TEST(FileName, ManyOfOneNameAndNamesThatLookNumbered) {
  FileNames names;
  EXPECT_EQ(names.add("a-3.txt", ""), "a-3.txt");  // taken before its turn
  EXPECT_EQ(names.add("a.txt", ""), "a.txt");
  EXPECT_EQ(names.add("a.txt", ""), "a-2.txt");
  EXPECT_EQ(names.add("a.txt", ""), "a-4.txt");
  EXPECT_EQ(names.add("a-4.txt", ""), "a-4-2.txt");
  for (int i = 5; i <= 10000; ++i) ASSERT_EQ(names.add("A.txt", ""), "A-" + std::to_string(i) + ".txt");
}

// 10,000 parts of one name took 50 million steps when each name tried
// a.txt, a-2.txt, ... from the start again.
TEST(FileName, ManyOfOneNameInLinearTime) {
  double growth = forumgate::test::growth(
      [](int n) {
        FileNames names;
        for (int i = 0; i < n; ++i) names.add("a.txt", "text/plain");
      },
      500);
  std::cout << "[ measured ] 16 times the names: " << growth << " times the time\n";
  EXPECT_LT(growth, forumgate::test::linear_growth);
}

TEST(FileName, UniqueWithinAMessage) {
  FileNames names;
  EXPECT_EQ(names.add("a.txt", "text/plain"), "a.txt");
  EXPECT_EQ(names.add("a.txt", "text/plain"), "a-2.txt");
  EXPECT_EQ(names.add("A.TXT", "text/plain"), "A-3.TXT");
  EXPECT_EQ(names.add("dir/a.txt", "text/plain"), "a-4.txt");
  EXPECT_EQ(names.add("README", "text/plain"), "README");
  EXPECT_EQ(names.add("README", "text/plain"), "README-2");
  std::string long_name = std::string(200, 'b') + ".doc";
  EXPECT_EQ(names.add(long_name, ""), std::string(116, 'b') + ".doc");
  EXPECT_EQ(names.add(long_name, ""), std::string(114, 'b') + "-2.doc");
}

TEST(FileName, UnnamedPartsNumberedWithATypeExtension) {
  FileNames names;
  EXPECT_EQ(names.add("", "text/plain"), "part-1.txt");
  EXPECT_EQ(names.add("", "IMAGE/JPEG; name=x"), "part-2.jpg");
  EXPECT_EQ(names.add("  ", "application/x-unknown"), "part-3.bin");
  EXPECT_EQ(names.add("\xE2\x80\xAE", "message/rfc822"), "part-4.eml");
  EXPECT_EQ(names.add("part-5.bin", ""), "part-5.bin");
  EXPECT_EQ(names.add("", ""), "part-5-2.bin");
}
