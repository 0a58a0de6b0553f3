#pragma once
// The header of a mail forumpost itself sends (a confirmation, a notice),
// built so that no value can add a field: whatever door a value came in
// by (a message, a post record, an option), one holding CR, LF or NUL is
// never written, and an identifier goes into In-Reply-To only when it is
// one "<...>" without spaces or controls.

#include <string>
#include <string_view>

namespace forumgate::forum {

// Whether value may stand in a header field or a log line as it is: no
// CR, LF or NUL (nor another C0 control but TAB, nor DEL).
bool one_line(std::string_view value);

// value with each byte one_line() refuses as '?': for a field or a log
// line that must show what came, whatever it holds.
std::string as_one_line(std::string_view value);

// Whether id is one message identifier as In-Reply-To carries it: "<...>",
// at most 998 bytes, nothing inside but printable ASCII other than '<' and
// '>'.
bool well_formed_id(std::string_view id);

// An address we may send mail to with sendmail -t: one local@domain, no
// list, no comment, no header syntax.
bool sendable_address(std::string_view address);

class OurMailHeader {
 public:
  // Error(70) when value is not one_line(): a caller checks what it can
  // refuse (an address, an option) before, so this is the last guard.
  void add(std::string_view name, std::string_view value);
  // The field only when id is well_formed_id(); a reply without it is
  // still a reply.
  void add_id(std::string_view name, std::string_view id);
  // The fields, each ending in LF, as sendmail -t reads them.
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

}  // namespace forumgate::forum
