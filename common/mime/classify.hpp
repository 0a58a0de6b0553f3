#pragma once
// Which messages are not written by a person and must never be posted or
// answered: auto-replies (RFC 3834), bounces, list traffic, our own loops.

#include <string_view>

#include "mime/header.hpp"

namespace forumgate::mime {

enum class AutoKind { none, auto_reply, bounce, list, loop };

// "none", "auto-reply", "bounce", "list", "loop" (the record's values).
std::string_view to_string(AutoKind kind);

struct ClassifyInput {
  const Headers& headers;            // the message's top-level header
  std::string_view content_type;     // top-level type/subtype, lower-case
  std::string_view report_type;      // its report-type parameter, if any
  std::string_view envelope_sender;  // from Return-Path / From_; "<>" for the null
                                     // sender, "" when not known
  std::string_view subject;          // decoded
  std::string_view loop_value;       // our X-Loop value; empty: none
};

// Checked in order: loop (an X-Loop field equal to loop_value), bounce
// (multipart/report delivery-status, null sender, MAILER-DAEMON or
// postmaster From), auto-reply (Auto-Submitted other than "no",
// X-Autoreply, X-Autorespond, Precedence auto_reply, out-of-office
// subjects in several languages), list (List-Id, List-Post, Precedence
// bulk/list/junk).
AutoKind classify(const ClassifyInput& in);

}  // namespace forumgate::mime
