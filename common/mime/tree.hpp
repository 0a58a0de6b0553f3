#pragma once
// A message's structure for a human (mimeparse --tree), one line a part,
// indented by depth, in the spirit of reformime -i and mshow -t.

#include <string>

#include "mime/message.hpp"

namespace forumgate::mime {

// "1.2 text/plain; charset=utf-8 quoted-printable 312 bytes" lines, then
// the defects, one "defect: ..." line each.
std::string render_tree(const Message& message);

}  // namespace forumgate::mime
