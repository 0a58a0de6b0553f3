#pragma once
// From a parsed message to its post record: which part is the body, its
// text in UTF-8 (HTML converted, format=flowed unwrapped, the quoted reply
// and signature split off), the attachments, the classification.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "mime/message.hpp"
#include "post/record.hpp"
#include "post/sha256.hpp"  // sha256_hex, for the record's checksums

namespace forumgate::post {

struct BuildOptions {
  std::optional<std::string> recipient;  // the envelope recipient, when the caller knows it
  std::string loop_value;                // our X-Loop value (classification "loop")
  bool trim_reply = true;                // split the quote and signature off the text
  // Called with each attachment's record and decoded bytes; returns where it
  // was written (Attachment::path), or nullopt.
  std::function<std::optional<std::string>(const Attachment&, std::string_view)> on_attachment;
};

Record build_record(const mime::Message& message, const BuildOptions& options = {});

// The body text alone, before reply trimming (mimeparse --text).
std::string body_text(const mime::Message& message);

}  // namespace forumgate::post
