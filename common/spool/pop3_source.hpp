#pragma once
// Taking the messages of a POP3 mailbox into a sink: mailsplit's
// pop3://USER@HOST[:PORT]/ and pop3s://USER@HOST[:PORT]/ sources, through
// libcurl's easy interface, one handle and so one POP3 session for the
// listing (UIDL), every RETR, the DELEs and the QUIT.
//
// Credentials never come from the command line: a password in the URL is
// refused (64). libcurl reads them from a netrc file (CURL_NETRC_REQUIRED):
// $MAILSPLIT_NETRC when set, else ~/.netrc. A pop3:// session upgrades to
// TLS with STLS when the server offers it.
//
// Messages are taken in the server's order. POP3 sends CRLF line ends;
// they become LF, as a queue Maildir stores them (maildir(5)). Each gets a
// From_ line from its Return-Path (else MAILER-DAEMON) and the current time.
//
// The drain rule is the local spools' one: with drain, the messages are
// DELEted only after the sink's commit() has made every copy durable, and
// POP3 itself applies the deletions only at QUIT. Any error before commit
// rolls the sink back and deletes nothing. A session that dies after the
// commit but before the QUIT's +OK exits 75 and leaves every message on the
// server (or, when the server dies while expunging at QUIT, some of them):
// the next run takes those again. Those duplicates are accepted by design
// (forumpost drops a Message-ID it already has); remembering the UIDLs
// taken, to skip them, can come later. A message the sink declines (--exec)
// is not deleted.
//
// Errors: 64 a malformed URL or a password in it; 66 the netrc file named by
// $MAILSPLIT_NETRC is unreadable; 75 the server cannot be reached or the
// session broke: try again later; 77 the server refused the login; 69 any
// other protocol failure.

#include "spool/message_sink.hpp"
#include "spool/splitter.hpp"

namespace forumgate::spool {

// Whether source is a pop3:// or pop3s:// URL.
bool is_pop3_url(const std::string& source);

SplitReport split_pop3(const SplitRequest& rq, MessageSink& sink);

}  // namespace forumgate::spool
