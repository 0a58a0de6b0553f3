#pragma once
// POP3 mailboxes (RFC 1939): pop3://USER@HOST[:PORT]/ and
// pop3s://USER@HOST[:PORT]/, through one libcurl session
// (remote_session.hpp): UIDL lists the messages, RETR fetches each, DELE
// marks it and QUIT, whose +OK confirms it, applies the deletions. How
// mailsplit uses them is in remote_source.hpp.

#include <cstdint>
#include <memory>
#include <string>

#include "spool/remote_source.hpp"

namespace forumgate::spool {

// Whether source is a pop3:// or pop3s:// URL.
bool is_pop3_url(const std::string& source);

// Opens the session (for mailsplit: netrc from $MAILSPLIT_NETRC).
std::unique_ptr<RemoteMailbox> open_pop3(const std::string& source, const RemoteUrl& url);

// How many messages the mailbox holds (STAT).
uint64_t pop3_message_count(RemoteSession& session);

}  // namespace forumgate::spool
