#pragma once
// A MIME message (RFC 2045, RFC 2046) as a tree of parts.
//
// Why our own walker: mimetic, the MIME library we build on, splits a
// multipart at a boundary string found in the middle of a line, treats "--"
// as the boundary of a multipart that has none, has no nesting limit (a deep
// message overflows the stack) and parses long header lines in quadratic
// time. So the structure is found here, in one linear pass per nesting
// level: boundaries only at the start of a line (RFC 2046 5.1.1), nesting
// depth and part count bounded, header fields split and unfolded without
// backtracking. The bodies are then decoded (decode_body): quoted-printable
// by mimetic's codec, base64 by our own (mime/base64.hpp says why).
//
// Line ends are normalized once, in place: CRLF becomes LF, and a message
// whose only line ends are CR gets LF instead (a defect). A part's offsets
// refer to the normalized text.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mime/header.hpp"
#include "mime/params.hpp"

namespace forumgate::mime {

struct Limits {
  std::size_t max_depth = 40;     // multiparts and message/rfc822 within each other
  std::size_t max_parts = 10000;  // parts in the whole message
};

struct Part {
  std::string number;  // "1", "1.2", "1.2.1" (as reformime numbers them)
  Headers headers;
  HeaderValue content_type;  // defaulted per RFC 2045 5.2 / RFC 2046 5.1.5
  HeaderValue disposition;   // value "" when the part has none
  std::string encoding;      // Content-Transfer-Encoding, lower-case; "7bit" by default
  std::size_t header_begin = 0;
  std::size_t body_begin = 0;  // offsets into Message::data
  std::size_t body_end = 0;
  std::vector<Part> children;  // parts of a multipart, or the message of a message/rfc822

  bool is_multipart() const;
  bool is_message() const;  // message/rfc822 or message/global
  // type/subtype, e.g. "text/plain".
  const std::string& type() const { return content_type.value; }
  // The file name from Content-Disposition's filename or Content-Type's
  // name, decoded, not yet sanitized; "" when none.
  std::string filename() const;
  bool is_attachment() const;  // Content-Disposition: attachment
};

struct Message {
  std::string data;               // the whole message, line ends normalized
  std::size_t original_size = 0;  // bytes as read
  std::string envelope_sender;    // from a leading From_ line, if any
  Part root;
  std::vector<std::string> defects;  // what was wrong, in words, in order found
  bool has_header = false;           // at least one header field was found

  std::string_view body(const Part& part) const {
    return std::string_view(data).substr(part.body_begin, part.body_end - part.body_begin);
  }
  std::string_view raw(const Part& part) const {  // header and body
    return std::string_view(data).substr(part.header_begin, part.body_end - part.header_begin);
  }
};

Message parse_message(std::string data, const Limits& limits = {});

// The body of a leaf part with its transfer encoding removed. Defects
// (bad base64, unknown encoding) are appended to defects.
std::string decode_body(const Message& message, const Part& part, std::vector<std::string>* defects = nullptr);

// Every part, depth first, in order (the root first).
template <typename F>
void for_each_part(const Part& part, F&& f) {
  f(part);
  for (const auto& child : part.children) for_each_part(child, f);
}

// The part numbered number, or nullptr.
const Part* find_part(const Part& root, std::string_view number);

}  // namespace forumgate::mime
