#include "mime/inline_images.hpp"

#include <gtest/gtest.h>

#include <string>

#include "scaling.hpp"

using forumgate::mime::mark_cid_images;

namespace {

std::string words(std::string_view id) { return id == "a@b" || id == "x y" ? "[" + std::string(id) + "]" : ""; }

}  // namespace

TEST(InlineImages, CidImagesBecomeTheirWords) {
  EXPECT_EQ(mark_cid_images("<p>x<img src=\"cid:a@b\" alt=\"pic\">y</p>", words), "<p>x[a@b]y</p>");
  EXPECT_EQ(mark_cid_images("<IMG width=3 SRC='CID:a@b'>", words), "[a@b]");
  EXPECT_EQ(mark_cid_images("<img src=cid:a@b>", words), "[a@b]");
  EXPECT_EQ(mark_cid_images("<img src=\"cid:x%20y\"/>", words), "[x y]");  // RFC 2392: URL-encoded
  // Not a cid: image, or one no part has: as it was.
  EXPECT_EQ(mark_cid_images("<img src=\"https://e.org/a.png\">", words), "<img src=\"https://e.org/a.png\">");
  EXPECT_EQ(mark_cid_images("<img src=\"cid:other\">", words), "<img src=\"cid:other\">");
  EXPECT_EQ(mark_cid_images("<imgx src=\"cid:a@b\">", words), "<imgx src=\"cid:a@b\">");
  EXPECT_EQ(mark_cid_images("<img alt='>' src=\"cid:a@b\">tail", words), "[a@b]tail");  // '>' in a value
  EXPECT_EQ(mark_cid_images("<img src=\"cid:a@b\"", words), "[a@b]");                   // never closed
}

TEST(InlineImages, TimeIsLinearInTheHtml) {
  for (std::string_view unit : {"<img src=\"cid:a@b\">", "<img alt='", "<img src=", "<<<<"}) {
    double growth = forumgate::test::growth(
        [&](std::size_t size) {
          std::string html;
          while (html.size() < size) html += unit;
          EXPECT_FALSE(mark_cid_images(html, words).empty());
        },
        64 << 10);
    EXPECT_LT(growth, forumgate::test::linear_growth) << unit;
  }
}
