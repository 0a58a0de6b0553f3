#include "mime/dsn.hpp"

#include "mime/writer.hpp"
#include "util/text.hpp"

namespace forumgate::mime {
namespace {

// "rfc822; user@example.org" -> "user@example.org" (RFC 3464 2.3.2:
// address-type ";" generic-address); angle brackets and a comment go.
std::string address_of(const std::string& value) {
  std::string_view v = value;
  if (std::size_t semi = v.find(';'); semi != std::string_view::npos) v = v.substr(semi + 1);
  v = util::trim(v, " \t\r");
  if (std::size_t paren = v.find('('); paren != std::string_view::npos) v = util::trim(v.substr(0, paren), " \t\r");
  if (v.size() >= 2 && v.front() == '<' && v.back() == '>') v = v.substr(1, v.size() - 2);
  return clean_header_text(v);
}

// "5.1.1 (bad mailbox)" -> "5.1.1": class "." subject "." detail, RFC 3463 2.
std::string status_of(const std::string& value) {
  std::string_view v = util::trim(value, " \t\r");
  std::size_t end = 0;
  int dots = 0;
  while (end < v.size() && ((v[end] >= '0' && v[end] <= '9') || v[end] == '.')) {
    if (v[end] == '.') ++dots;
    ++end;
  }
  std::string s(v.substr(0, end));
  if (dots != 2 || s.size() < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.' || s.back() == '.')
    return "";
  return s;
}

const Part* find_status_part(const Part& part) {
  if (part.type() == "message/delivery-status" || part.type() == "message/global-delivery-status") return &part;
  for (const auto& child : part.children)
    if (const Part* p = find_status_part(child)) return p;
  return nullptr;
}

}  // namespace

bool DsnRecipient::hard() const { return action == "failed" || (!status.empty() && status[0] == '5'); }

bool DsnRecipient::soft() const { return !hard() && (action == "delayed" || (!status.empty() && status[0] == '4')); }

std::vector<Headers> dsn_groups(std::string_view body) {
  std::vector<Headers> groups(1);
  util::for_each_line(body, [&](std::string_view line) {
    if (util::trim(line, " \t\r").empty()) {
      if (!groups.back().empty()) groups.emplace_back();
    } else if ((line[0] == ' ' || line[0] == '\t') && !groups.back().empty()) {
      groups.back().back().value += " " + std::string(util::trim(line, " \t\r"));
    } else if (std::size_t colon = line.find(':'); colon != std::string_view::npos && colon > 0) {
      groups.back().push_back({std::string(util::trim(line.substr(0, colon), " \t\r")),
                               std::string(util::trim(line.substr(colon + 1), " \t\r"))});
    }
  });
  if (groups.back().empty() && groups.size() > 1) groups.pop_back();
  return groups;
}

Dsn read_dsn(const Message& message) {
  Dsn dsn;
  const Part* part = find_status_part(message.root);
  if (!part) return dsn;
  dsn.found = true;
  const std::vector<Headers> groups = dsn_groups(decode_body(message, *part));
  if (const std::string* mta = find_field(groups[0], "Reporting-MTA")) dsn.reporting_mta = address_of(*mta);
  for (std::size_t i = 1; i < groups.size(); ++i) {
    const Headers& g = groups[i];
    const std::string* final_recipient = find_field(g, "Final-Recipient");
    const std::string* original = find_field(g, "Original-Recipient");
    if (!final_recipient && !original) continue;
    DsnRecipient r;
    r.address = address_of(final_recipient ? *final_recipient : *original);
    if (const std::string* a = find_field(g, "Action"))
      r.action = to_lower(util::trim(*a, " \t\r").substr(0, util::trim(*a, " \t\r").find(' ')));
    if (const std::string* s = find_field(g, "Status")) r.status = status_of(*s);
    if (const std::string* d = find_field(g, "Diagnostic-Code")) {
      r.diagnostic = clean_header_text(*d);
      if (r.diagnostic.size() > 500) {
        r.diagnostic.resize(500);  // not inside a character
        while (!r.diagnostic.empty() && (static_cast<unsigned char>(r.diagnostic.back()) & 0xC0) == 0x80)
          r.diagnostic.pop_back();
        if (!r.diagnostic.empty() && static_cast<unsigned char>(r.diagnostic.back()) >= 0xC0) r.diagnostic.pop_back();
      }
    }
    if (!r.address.empty()) dsn.recipients.push_back(std::move(r));
  }
  return dsn;
}

}  // namespace forumgate::mime
