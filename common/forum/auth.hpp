#pragma once
// Sender authentication: whether the trusted server's
// Authentication-Results (RFC 8601) vouch for a message's From domain.
// Only the fields of that server count: the MTA must remove those that
// arrive from outside.

#include <string>
#include <vector>

namespace forumgate::forum {

// Whether one of the Authentication-Results values, from authserv_id,
// says dmarc=pass, or dkim=pass with header.d (or header.i's domain) the
// From address's domain or a parent of it.
bool authenticated(const std::vector<std::string>& results, const std::string& authserv_id,
                   const std::string& from_address);

}  // namespace forumgate::forum
