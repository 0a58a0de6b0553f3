#pragma once
// Structured header values with parameters (RFC 2045 Content-Type,
// RFC 2183 Content-Disposition), with RFC 2231 parameter value
// continuations (name*0, name*1*), charsets and languages
// (filename*=UTF-8''%E2%82%AC), and the RFC 2047 words that real mailers
// put into quoted file names (name, filename) although no RFC allows it;
// every other value (a boundary, a charset) is kept as it was written.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace forumgate::mime {

struct HeaderValue {
  std::string value;                                        // the part before the first ';', trimmed, lower-cased
  std::vector<std::pair<std::string, std::string>> params;  // names lower-cased,
                                                            // values UTF-8
  const std::string* param(std::string_view name) const;
};

HeaderValue parse_header_value(std::string_view raw);

}  // namespace forumgate::mime
