#pragma once
// IMAP mailboxes (RFC 3501): imap://USER@HOST[:PORT][/MAILBOX] and
// imaps://..., INBOX when no MAILBOX is given, through one libcurl session
// (remote_session.hpp). How mailsplit uses them is in remote_source.hpp.
//
// Nothing is marked \Seen by taking it: libcurl fetches a message URL
// (MAILBOX;UIDVALIDITY=V/;UID=N) with UID FETCH N BODY[], which would set
// \Seen in a mailbox SELECTed for writing, so the mailbox is re-opened with
// EXAMINE (read-only, RFC 3501 §6.3.2) after libcurl's own SELECT. libcurl
// does not see the EXAMINE and keeps using the mailbox it believes
// selected; UIDVALIDITY in the URL makes it refuse should the mailbox have
// changed meanwhile.
//
// The messages are listed with FETCH FIRST:LAST (UID), one short line
// each, 50 messages a request: libcurl cuts a response line longer than
// half its buffer, which one UID SEARCH ALL line for thousands of messages
// would be, and libcurl 7.88 fails a custom command whose response has more
// than about 150 lines ("Too large response headers"). Draining SELECTs
// the mailbox for writing, marks the messages with UID STORE +FLAGS.SILENT
// (\Deleted) and removes them with UID EXPUNGE (UIDPLUS, RFC 4315), so that
// messages another client marked \Deleted stay (EXPUNGE when the server has
// no UIDPLUS), 50 at a time for the same reason.

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
