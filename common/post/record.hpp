#pragma once
// The post record: what mimeparse makes of a message and forumpost reads
// (docs/post-record.md is its schema; field names are the contract: fields
// may be added, none renamed). Both programs use this code for it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace forumgate::post {

inline constexpr int record_version = 1;

struct Mailbox {
  std::string name;
  std::string address;
};

struct Attachment {
  std::string part;                 // MIME part number, for mimeparse --extract
  std::string filename;             // sanitized, unique within the message
  std::string content_type;         // type/subtype, lower-case
  std::string disposition;          // "attachment" or "inline"
  std::string content_id;           // without angle brackets; "" when none
  std::uint64_t size = 0;           // decoded bytes
  std::string sha256;               // of the decoded bytes, lower-case hex
  std::optional<std::string> path;  // where it was written, when it was
  // The words in text (and html) that stand where the HTML body showed
  // this part as an inline image (<img src="cid:...">): "[image: NAME]";
  // "" when the body does not show it.
  std::string placeholder;
};

// What a delivery status notification (RFC 3464) says of one recipient.
struct BounceRecipient {
  std::string address;
  std::string action;      // failed, delayed, ...
  std::string status;      // RFC 3463, "5.1.1"; "" when absent
  std::string diagnostic;  // one line
};

struct Bounce {
  std::string reporting_mta;
  std::vector<BounceRecipient> recipients;
};

struct Record {
  int version = record_version;
  std::optional<std::string> message_id;  // with angle brackets
  std::optional<std::string> in_reply_to;
  std::vector<std::string> references;  // oldest first, as in the header
  std::optional<std::int64_t> date;     // epoch seconds
  Mailbox from;
  std::vector<Mailbox> to;
  std::vector<Mailbox> cc;
  std::vector<Mailbox> reply_to;
  std::optional<std::string> recipient;             // envelope recipient, when known
  std::optional<std::string> envelope_sender;       // Return-Path / From_; "" for <>
  std::vector<std::string> delivered_to;            // Delivered-To and X-Original-To values
  std::vector<std::string> authentication_results;  // raw values, in header order (RFC 8601)
  std::string subject;                              // decoded, UTF-8
  std::string text;                                 // the new text, UTF-8
  std::string text_quoted;                          // the quote removed from its end
  std::string signature;                            // the signature removed from it
  std::optional<std::string> html;                  // sanitized, when the message had HTML
  std::vector<Attachment> attachments;
  std::string auto_kind = "none";  // JSON "auto": none|auto-reply|bounce|list|loop
  std::optional<Bounce> bounce;    // the delivery status report, when the message has one
  std::vector<std::string> defects;
  std::uint64_t size = 0;  // bytes of the message as read
};

// Fields in the order of docs/post-record.md, for people reading it.
void to_json(nlohmann::ordered_json& j, const Record& r);
// Throws std::invalid_argument (or nlohmann's type_error) on a wrong version
// or type, and on a value that breaks the rules of record_check.hpp.
void from_json(const nlohmann::json& j, Record& r);

// The record as compact JSON, byte for byte what dumping to_json's tree
// gives (dump() with invalid UTF-8 replaced by U+FFFD), written straight
// into one string: mimeparse writes a record per message, and building the
// tree copied every text twice.
std::string dump_json(const Record& r);

}  // namespace forumgate::post
