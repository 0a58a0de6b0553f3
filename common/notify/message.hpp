#pragma once
// The mail a subscriber gets for one forum post: an RFC 5322 message that
// threads in every reader's client as the post threads in the forum, and
// that mailing list software, auto-responders and forumpost recognise as
// list mail.
//
// What comes from the post (subject, author's name, body, attachment
// names) only ever reaches the message through mime/writer.hpp: it cannot
// add or split a header field. Our own addresses (From, Reply-To, List-*)
// come only from ListAddresses, made from the configuration.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace forumgate::notify {

// The forum's side of every message: configuration, never a post.
struct ListAddresses {
  std::string forum;            // the forum's name ("linux")
  std::string title;            // its title ("Linux"), for From and List-Id
  std::string post;             // linux@forum.example.org
  std::string unsubscribe;      // linux-unsubscribe@forum.example.org
  std::string list_id;          // linux.forum.example.org (RFC 2919)
  std::string unsubscribe_url;  // https URL for this subscriber, or ""
  std::string archive_url;      // the forum's web page, or ""
  std::string loop;             // our X-Loop value, or ""
};

struct Attachment {
  std::string name;  // as stored (W-Agora's att_name)
  std::string content_type;
  std::optional<std::string> data;  // attached when set
  std::string url;                  // else linked, when known
};

// A post as it goes out.
struct MailPost {
  std::int64_t id = 0;
  std::int64_t thread = 0;
  std::string subject;  // text, UTF-8
  std::string html;     // the stored body (HTML), UTF-8
  std::string author;   // the author's name, UTF-8
  std::int64_t date = 0;
  std::string message_id;  // <...>
  std::string in_reply_to;
  std::vector<std::string> references;  // the thread's root first
  std::string web_url;                  // the post on the web, or ""
  std::vector<Attachment> attachments;
};

// The whole message, lines ended with LF. reply_to: the address replies
// go to (the forum's, or a reply key's).
std::string build_message(const MailPost& post, const ListAddresses& list, const std::string& reply_to);

// Whether id can stand in a Message-ID field: "<" id-left "@" id-right ">",
// printable ASCII without blanks, at most 250 bytes.
bool usable_message_id(const std::string& id);

// The content type of a stored attachment, from its extension (forumpost
// stores the extension of the allowed type it came as).
std::string attachment_type(const std::string& name);

}  // namespace forumgate::notify
