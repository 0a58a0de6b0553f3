#pragma once
// A reply's plain text split into what its author wrote, the quoted message
// and the signature, by the formats mail clients write in their languages
// (top and bottom posting, interleaved answers, forwards, signatures; the
// list is in docs/post-record.md). Everything removed is kept, in order,
// in quoted or signature. Time and memory are linear in the text's size.

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
