#include "post/record_check.hpp"

#include <array>
#include <stdexcept>
#include <string>
#include <string_view>

#include "mime/address.hpp"
#include "util/printable.hpp"

namespace forumgate::post {
namespace {

[[noreturn]] void refuse(const std::string& field, std::string_view value, const char* rule) {
  std::string shown = util::printable(value.substr(0, 80));
  if (value.size() > 80) shown += "...";
  throw std::invalid_argument(field + " \"" + shown + "\" is not " + rule);
}

bool has_line_break(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) != s.npos; }

void one_line(const std::string& field, std::string_view value) {
  if (has_line_break(value)) refuse(field, value, "one line (a CR, LF or NUL in it)");
}

void message_id(const std::string& field, std::string_view value) {
  if (!mime::is_message_id(value)) refuse(field, value, "a message id (<...> without spaces or controls)");
}

// "" (no address, or the null sender <>) or local@domain.
void address(const std::string& field, std::string_view value, bool bare_name_too = false) {
  if (value.empty() || mime::is_addr_spec(value)) return;
  if (bare_name_too && value.find('@') == value.npos && mime::is_addr_spec(std::string(value) + "@x")) return;
  refuse(field, value, "an address (local@domain)");
}

void mailbox(const std::string& field, const Mailbox& m, bool bare_name_too = false) {
  one_line(field + ".name", m.name);
  address(field + ".address", m.address, bare_name_too);
}

void mailboxes(const char* field, const std::vector<Mailbox>& list, bool bare_name_too = false) {
  for (size_t i = 0; i < list.size(); ++i)
    mailbox(std::string(field) + "[" + std::to_string(i) + "]", list[i], bare_name_too);
}

constexpr std::array<std::string_view, 5> auto_kinds = {"none", "auto-reply", "bounce", "list", "loop"};

}  // namespace

void check_record(const Record& r) {
  if (r.message_id) message_id("message_id", *r.message_id);
  if (r.in_reply_to) message_id("in_reply_to", *r.in_reply_to);
  for (size_t i = 0; i < r.references.size(); ++i) message_id("references[" + std::to_string(i) + "]", r.references[i]);
  mailbox("from", r.from);
  mailboxes("to", r.to, true);
  mailboxes("cc", r.cc, true);
  mailboxes("reply_to", r.reply_to);
  if (r.recipient) address("recipient", *r.recipient);
  if (r.envelope_sender) address("envelope_sender", *r.envelope_sender);
  for (size_t i = 0; i < r.delivered_to.size(); ++i)
    address("delivered_to[" + std::to_string(i) + "]", r.delivered_to[i]);
  for (size_t i = 0; i < r.authentication_results.size(); ++i)
    one_line("authentication_results[" + std::to_string(i) + "]", r.authentication_results[i]);
  one_line("subject", r.subject);
  for (size_t i = 0; i < r.attachments.size(); ++i) {
    const Attachment& a = r.attachments[i];
    const std::string at = "attachments[" + std::to_string(i) + "].";
    one_line(at + "part", a.part);
    one_line(at + "filename", a.filename);
    one_line(at + "content_type", a.content_type);
    one_line(at + "disposition", a.disposition);
    one_line(at + "content_id", a.content_id);
    if (a.path) one_line(at + "path", *a.path);
  }
  bool known = false;
  for (auto kind : auto_kinds) known = known || r.auto_kind == kind;
  if (!known) refuse("auto", r.auto_kind, "none, auto-reply, bounce, list or loop");
}

}  // namespace forumgate::post
