#pragma once
// A reply's plain text split into what its author wrote, the quoted
// message and the signature, as mail clients write them in their
// languages:
//  - top posting: the text, then an attribution ("On <date>, <name>
//    wrote:" and its translations, wrapped over up to three lines) or a
//    header block (Outlook's "From: / Sent: / To: / Subject:", Lotus
//    Notes', "-----Original Message-----", an underscore rule), then the
//    quote, '>'-quoted or not;
//  - bottom posting: the quote first, then the text below it;
//  - interleaved answers: the quoted lines they answer stay in the text
//    (only the attribution line and the unanswered quote at the end go);
//  - forwards ("---------- Forwarded message ---------", "Begin forwarded
//    message:", an Outlook header block under a "FW:" subject): the note
//    and the forwarded message are both the text;
//  - signatures: a "-- " block and the line mobile and webmail clients add
//    ("Sent from my iPhone", "Von meinem iPhone gesendet").
// Everything removed is kept, in order, in quoted or signature. Time and
// memory are linear in the text's size.

#include <string>
#include <string_view>

namespace forumgate::mime {

struct TrimmedReply {
  std::string text;       // what the author wrote (never empty when the input had text)
  std::string quoted;     // the quote removed, with its attribution or header block
  std::string signature;  // the signature removed ("-- " block, "Sent from my ...")
};

struct ReplyContext {
  std::string_view subject;  // the message's decoded Subject: "Fwd:" tells a forward
};

TrimmedReply trim_reply(std::string_view text, const ReplyContext& context = {});

}  // namespace forumgate::mime
