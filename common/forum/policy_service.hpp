#pragma once
// forumpost --policy-service: a Postfix policy delegation service
// (SMTPD_POLICY_README), run by spawn(8) with the connection on standard
// input and output, answering request after request until the client
// closes it. For each RCPT it asks Gateway::admit() what forumpost itself
// would decide from the envelope, and answers:
//   REJECT 5.1.1    no such forum (a recipient in our domain only)
//   REJECT 5.7.1    a sender a members-only forum refuses
//   DEFER_IF_PERMIT 4.7.1  a sender or forum over its rate
//   DEFER_IF_PERMIT 4.3.0  the database down, or another problem of ours:
//                          never REJECT for what is not the sender's
//   DUNNO           anything else (the message's own checks come later),
//                   a bounce (null sender) among them
// Each request gets a Gateway of its own over the one connection, so that
// nothing it learned (members, forums) outlives the request; a connection
// lost is made again at the next one.

#include <iosfwd>

#include "forum/gateway.hpp"
#include "forum/profile.hpp"

namespace forumgate::forum {

struct PolicyServiceOptions {
  ConnectOptions connect;
  Profile profile;
  GatewayOptions gateway;
};

// Serves in until it ends; the exit status: 0, or 64 for a request that
// is not one (too long, no empty line before the end).
Exit run_policy_service(const PolicyServiceOptions& options, std::istream& in, std::ostream& out);

// The answer, "action=..." without the empty line, to what admit() said.
std::string policy_answer(const Admission& admission);

}  // namespace forumgate::forum
