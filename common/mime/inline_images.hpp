#pragma once
// Inline images of an HTML body: <img src="cid:ID"> shows the part whose
// Content-ID is <ID> (RFC 2392). Such a tag is replaced by words that
// stand where the image stood, so that the text made from the HTML (and
// the sanitized HTML, which keeps no cid: URL) says where it was.

#include <functional>
#include <string>
#include <string_view>

namespace forumgate::mime {

// html with each <img> whose src is a cid: URL replaced by
// words_for(ID) (ID without "cid:", %XX decoded); a tag for which
// words_for returns "" is left as it is. Linear in the HTML.
std::string mark_cid_images(std::string_view html, const std::function<std::string(std::string_view id)>& words_for);

}  // namespace forumgate::mime
