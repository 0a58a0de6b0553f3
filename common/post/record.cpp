#include "post/record.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace forumgate::post {

namespace {

nlohmann::ordered_json mailbox_json(const Mailbox& m) { return {{"name", m.name}, {"address", m.address}}; }

nlohmann::ordered_json mailboxes_json(const std::vector<Mailbox>& list) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& m : list) out.push_back(mailbox_json(m));
  return out;
}

template <typename T>
nlohmann::ordered_json optional_json(const std::optional<T>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

template <typename T>
void read_optional(const nlohmann::ordered_json& j, const char* key, std::optional<T>& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) out.reset();
  else out = it->get<T>();
}

Mailbox read_mailbox(const nlohmann::ordered_json& j) {
  Mailbox m;
  if (j.is_object()) {
    m.name = j.value("name", "");
    m.address = j.value("address", "");
  }
  return m;
}

std::vector<Mailbox> read_mailboxes(const nlohmann::ordered_json& j, const char* key) {
  std::vector<Mailbox> out;
  if (auto it = j.find(key); it != j.end() && it->is_array())
    for (const auto& m : *it) out.push_back(read_mailbox(m));
  return out;
}

}  // namespace

void to_json(nlohmann::ordered_json& j, const Record& r) {
  nlohmann::ordered_json attachments = nlohmann::ordered_json::array();
  for (const auto& a : r.attachments)
    attachments.push_back({{"part", a.part},
                           {"filename", a.filename},
                           {"content_type", a.content_type},
                           {"disposition", a.disposition},
                           {"content_id", a.content_id},
                           {"size", a.size},
                           {"sha256", a.sha256},
                           {"path", optional_json(a.path)}});
  j = nlohmann::ordered_json{{"version", r.version},
                     {"message_id", optional_json(r.message_id)},
                     {"in_reply_to", optional_json(r.in_reply_to)},
                     {"references", r.references},
                     {"date", optional_json(r.date)},
                     {"from", mailbox_json(r.from)},
                     {"to", mailboxes_json(r.to)},
                     {"cc", mailboxes_json(r.cc)},
                     {"reply_to", mailboxes_json(r.reply_to)},
                     {"recipient", optional_json(r.recipient)},
                     {"envelope_sender", optional_json(r.envelope_sender)},
                     {"delivered_to", r.delivered_to},
                     {"authentication_results", r.authentication_results},
                     {"subject", r.subject},
                     {"text", r.text},
                     {"text_quoted", r.text_quoted},
                     {"signature", r.signature},
                     {"html", optional_json(r.html)},
                     {"attachments", attachments},
                     {"auto", r.auto_kind},
                     {"defects", r.defects},
                     {"size", r.size}};
}

void from_json(const nlohmann::json& j, Record& r) {
  if (!j.is_object()) throw std::invalid_argument("a post record must be a JSON object");
  int version = j.value("version", 0);
  if (version != record_version)
    throw std::invalid_argument("post record version " + std::to_string(version) +
                                " is not supported (this is version " +
                                std::to_string(record_version) + ")");
  r = Record{};
  read_optional(j, "message_id", r.message_id);
  read_optional(j, "in_reply_to", r.in_reply_to);
  r.references = j.value("references", std::vector<std::string>{});
  read_optional(j, "date", r.date);
  if (auto it = j.find("from"); it != j.end()) r.from = read_mailbox(*it);
  r.to = read_mailboxes(j, "to");
  r.cc = read_mailboxes(j, "cc");
  r.reply_to = read_mailboxes(j, "reply_to");
  read_optional(j, "recipient", r.recipient);
  read_optional(j, "envelope_sender", r.envelope_sender);
  r.delivered_to = j.value("delivered_to", std::vector<std::string>{});
  r.authentication_results = j.value("authentication_results", std::vector<std::string>{});
  r.subject = j.value("subject", "");
  r.text = j.value("text", "");
  r.text_quoted = j.value("text_quoted", "");
  r.signature = j.value("signature", "");
  read_optional(j, "html", r.html);
  if (auto it = j.find("attachments"); it != j.end() && it->is_array())
    for (const auto& a : *it) {
      Attachment att;
      att.part = a.value("part", "");
      att.filename = a.value("filename", "");
      att.content_type = a.value("content_type", "");
      att.disposition = a.value("disposition", "");
      att.content_id = a.value("content_id", "");
      att.size = a.value("size", std::uint64_t{0});
      att.sha256 = a.value("sha256", "");
      read_optional(a, "path", att.path);
      r.attachments.push_back(std::move(att));
    }
  r.auto_kind = j.value("auto", "none");
  r.defects = j.value("defects", std::vector<std::string>{});
  r.size = j.value("size", std::uint64_t{0});
}

}  // namespace forumgate::post
