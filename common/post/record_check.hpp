#pragma once
// A post record read from outside (forumpost --records) is checked as a
// message would be: a record can be written by anyone, not only by
// mimeparse, and its values go into the headers of the mail forumpost sends
// (In-Reply-To:, References:, To:) and into log lines.
//
//   message_id, in_reply_to, references[]   "<...>", no space or control
//   from, reply_to[], recipient, envelope_sender, delivered_to[]
//                                            "" or a valid local@domain
//   to[], cc[]                               "", local@domain, or a bare
//                                            local name ("root")
//   names, subject, attachment fields       no CR, LF or NUL
//   auto                                     none, auto-reply, bounce, list, loop
//
// Bodies (text, html...) may hold any line breaks: they reach no header.

#include "post/record.hpp"

namespace forumgate::post {

// Throws std::invalid_argument naming the field and quoting its value
// (controls shown) when the record breaks a rule above.
void check_record(const Record& record);

}  // namespace forumgate::post
