#pragma once
// Delivery status notifications (RFC 3464): which recipients a bounce is
// about, what became of each (Action) and why (Status, RFC 3463).
//
// Read from the message/delivery-status part of a multipart/report (or
// message/global-delivery-status, RFC 6533), wherever it is in the
// message: Exim, sendmail, Postfix, Exchange and Gmail all send one. A
// bounce without it (an old MTA's plain text) gives no recipient: the
// caller falls back on the address the bounce came to (VERP).

#include <string>
#include <vector>

#include "mime/message.hpp"

namespace forumgate::mime {

struct DsnRecipient {
  std::string address;     // Final-Recipient (else Original-Recipient), without "rfc822;"
  std::string action;      // failed, delayed, delivered, relayed, expanded (lower-case)
  std::string status;      // "5.1.1"; "" when absent or malformed
  std::string diagnostic;  // Diagnostic-Code, one line, for the record
  // A permanent failure: Action failed, or Status 5.x.x.
  bool hard() const;
  // A temporary one: Action delayed, or Status 4.x.x without failed.
  bool soft() const;
};

struct Dsn {
  bool found = false;  // a delivery-status part was there
  std::string reporting_mta;
  std::vector<DsnRecipient> recipients;
};

Dsn read_dsn(const Message& message);

// The fields of a delivery-status body: groups separated by blank lines,
// each field unfolded; the first group is the message's, the others one
// recipient's.
std::vector<Headers> dsn_groups(std::string_view body);

}  // namespace forumgate::mime
