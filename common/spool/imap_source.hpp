#pragma once
// IMAP mailboxes (RFC 3501): imap://USER@HOST[:PORT][/MAILBOX] and
// imaps://..., INBOX when no MAILBOX is given, through one libcurl session
// (remote_session.hpp). How mailsplit uses them is in remote_source.hpp.
// Taking a message never marks it \Seen; draining removes exactly the
// messages taken, leaving those another client marked \Deleted. How,
// around libcurl's limits: docs/design.md, "IMAP through libcurl".

#include <cstdint>
#include <memory>
#include <string>

#include "spool/remote_source.hpp"

namespace forumgate::spool {

// Opens the session (for mailsplit: netrc from $MAILSPLIT_NETRC).
std::unique_ptr<RemoteMailbox> open_imap(const std::string& source, const RemoteUrl& url);

// How many messages the mailbox holds (STATUS MAILBOX (MESSAGES)).
uint64_t imap_message_count(RemoteSession& session);

// mailbox as an IMAP quoted string (RFC 3501 §4.3).
std::string imap_quoted(const std::string& mailbox);

}  // namespace forumgate::spool
