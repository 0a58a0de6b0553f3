#include "post/record.hpp"

#include "post/record_check.hpp"

#include <cstdint>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <utility>

#include "util/text.hpp"

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

// A JSON number as an integer of type T, refused unless it is a whole number
// T holds: nlohmann converts a float or an out-of-range number with a plain
// cast, which is undefined behaviour.
template <typename T>
T read_integer(const nlohmann::json& v, const char* key) {
  if (v.is_number_unsigned()) {
    if (auto u = v.get<std::uint64_t>(); std::in_range<T>(u)) return static_cast<T>(u);
  } else if (v.is_number_integer()) {
    if (auto s = v.get<std::int64_t>(); std::in_range<T>(s)) return static_cast<T>(s);
  }
  throw std::invalid_argument(std::string(key) + " must be a whole number from " +
                              std::to_string(std::numeric_limits<T>::min()) + " to " +
                              std::to_string(std::numeric_limits<T>::max()));
}

template <typename T>
T integer_or(const nlohmann::json& j, const char* key, T fallback) {
  auto it = j.find(key);
  return it == j.end() ? fallback : read_integer<T>(*it, key);
}

template <typename T>
void read_optional(const nlohmann::json& j, const char* key, std::optional<T>& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) out.reset();
  else if constexpr (std::is_integral_v<T>) out = read_integer<T>(*it, key);
  else out = it->get<T>();
}

Mailbox read_mailbox(const nlohmann::json& j) {
  Mailbox m;
  if (j.is_object()) {
    m.name = j.value("name", "");
    m.address = j.value("address", "");
  }
  return m;
}

std::vector<Mailbox> read_mailboxes(const nlohmann::json& j, const char* key) {
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
                           {"path", optional_json(a.path)},
                           {"placeholder", a.placeholder}});
  nlohmann::ordered_json bounce = nullptr;
  if (r.bounce) {
    nlohmann::ordered_json recipients = nlohmann::ordered_json::array();
    for (const auto& b : r.bounce->recipients)
      recipients.push_back(
          {{"address", b.address}, {"action", b.action}, {"status", b.status}, {"diagnostic", b.diagnostic}});
    bounce = {{"reporting_mta", r.bounce->reporting_mta}, {"recipients", recipients}};
  }
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
                             {"bounce", bounce},
                             {"defects", r.defects},
                             {"size", r.size}};
}

namespace {

// s as a JSON string, escaped as nlohmann's dump() escapes it (ensure_ascii
// off): '"', '\\' and the C0 controls only, the short forms where JSON has
// them, else \u00xx. Valid UTF-8 is copied in runs; a string that is not
// valid UTF-8 is left to nlohmann, whose way of replacing it is the
// contract.
void write_string(std::string& out, std::string_view s) {
  const std::size_t start = out.size();
  out.push_back('"');
  std::size_t run = 0;  // the first byte not yet copied
  for (std::size_t i = 0; i < s.size();) {
    // Eight bytes at a time while they are printable ASCII other than '"'
    // and '\\' (the bulk of any text).
    if (i + 8 <= s.size()) {
      constexpr std::uint64_t ones = 0x0101010101010101, highs = 0x8080808080808080;
      std::uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      auto has_zero = [&](std::uint64_t x) { return ((x - ones) & ~x & highs) != 0; };
      bool below_space = ((w - ones * 0x20) & ~w & highs) != 0;
      if (!(w & highs) && !below_space && !has_zero(w ^ (ones * '"')) && !has_zero(w ^ (ones * '\\'))) {
        i += 8;
        continue;
      }
    }
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      std::size_t n = util::utf8_length(s, i);
      if (n == 0) {
        out.resize(start);
        out += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return;
      }
      i += n;
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out.append(s.data() + run, i - run);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        static const char hex[] = "0123456789abcdef";
        out += "\\u00";
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
      }
    }
    run = ++i;
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array(const char* key = nullptr) {
    if (key) this->key(key);
    open('[');
  }
  void end_array() { close(']'); }

  void key(const char* name) {
    separate();
    out_.push_back('"');
    out_ += name;
    out_ += "\":";
    after_key_ = true;
  }

  void value(std::string_view s) {
    separate();
    write_string(out_, s);
  }
  void value(std::int64_t n) {
    separate();
    out_ += std::to_string(n);
  }
  void value(std::uint64_t n) {
    separate();
    out_ += std::to_string(n);
  }
  void null() {
    separate();
    out_ += "null";
  }
  template <typename T>
  void field(const char* name, const T& v) {
    key(name);
    value(v);
  }
  template <typename T>
  void field(const char* name, const std::optional<T>& v) {
    key(name);
    if (v) value(*v);
    else null();
  }
  void field(const char* name, const std::vector<std::string>& list) {
    begin_array(name);
    for (const auto& s : list) value(s);
    end_array();
  }
  void mailbox(const Mailbox& m) {
    begin_object();
    field("name", std::string_view(m.name));
    field("address", std::string_view(m.address));
    end_object();
  }
  void field(const char* name, const std::vector<Mailbox>& list) {
    begin_array(name);
    for (const auto& m : list) mailbox(m);
    end_array();
  }

 private:
  // A comma before every value but the first of its object or array, and
  // none after a key.
  void separate() {
    if (after_key_) after_key_ = false;
    else if (!first_) out_.push_back(',');
    first_ = false;
  }
  void open(char c) {
    separate();
    out_.push_back(c);
    first_ = true;
  }
  void close(char c) {
    out_.push_back(c);
    first_ = false;
  }

  std::string& out_;
  bool first_ = true;
  bool after_key_ = false;
};

}  // namespace

std::string dump_json(const Record& r) {
  std::string out;
  out.reserve(1024 + r.text.size() + r.text_quoted.size() + r.signature.size() + (r.html ? r.html->size() : 0) +
              r.subject.size());
  JsonWriter w(out);
  w.begin_object();
  w.field("version", std::int64_t{r.version});
  w.field("message_id", r.message_id);
  w.field("in_reply_to", r.in_reply_to);
  w.field("references", r.references);
  w.field("date", r.date);
  w.key("from");
  w.mailbox(r.from);
  w.field("to", r.to);
  w.field("cc", r.cc);
  w.field("reply_to", r.reply_to);
  w.field("recipient", r.recipient);
  w.field("envelope_sender", r.envelope_sender);
  w.field("delivered_to", r.delivered_to);
  w.field("authentication_results", r.authentication_results);
  w.field("subject", std::string_view(r.subject));
  w.field("text", std::string_view(r.text));
  w.field("text_quoted", std::string_view(r.text_quoted));
  w.field("signature", std::string_view(r.signature));
  w.field("html", r.html);
  w.begin_array("attachments");
  for (const auto& a : r.attachments) {
    w.begin_object();
    w.field("part", std::string_view(a.part));
    w.field("filename", std::string_view(a.filename));
    w.field("content_type", std::string_view(a.content_type));
    w.field("disposition", std::string_view(a.disposition));
    w.field("content_id", std::string_view(a.content_id));
    w.field("size", std::uint64_t{a.size});
    w.field("sha256", std::string_view(a.sha256));
    w.field("path", a.path);
    w.field("placeholder", std::string_view(a.placeholder));
    w.end_object();
  }
  w.end_array();
  w.field("auto", std::string_view(r.auto_kind));
  w.key("bounce");
  if (r.bounce) {
    w.begin_object();
    w.field("reporting_mta", std::string_view(r.bounce->reporting_mta));
    w.begin_array("recipients");
    for (const auto& b : r.bounce->recipients) {
      w.begin_object();
      w.field("address", std::string_view(b.address));
      w.field("action", std::string_view(b.action));
      w.field("status", std::string_view(b.status));
      w.field("diagnostic", std::string_view(b.diagnostic));
      w.end_object();
    }
    w.end_array();
    w.end_object();
  } else {
    w.null();
  }
  w.field("defects", r.defects);
  w.field("size", std::uint64_t{r.size});
  w.end_object();
  return out;
}

void from_json(const nlohmann::json& j, Record& r) {
  if (!j.is_object()) throw std::invalid_argument("a post record must be a JSON object");
  int version = integer_or(j, "version", 0);
  if (version != record_version)
    throw std::invalid_argument("post record version " + std::to_string(version) +
                                " is not supported (this is version " + std::to_string(record_version) + ")");
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
      att.size = integer_or(a, "size", std::uint64_t{0});
      att.sha256 = a.value("sha256", "");
      read_optional(a, "path", att.path);
      att.placeholder = a.value("placeholder", "");
      r.attachments.push_back(std::move(att));
    }
  r.auto_kind = j.value("auto", "none");
  if (auto it = j.find("bounce"); it != j.end() && it->is_object()) {
    Bounce b;
    b.reporting_mta = it->value("reporting_mta", "");
    if (auto rs = it->find("recipients"); rs != it->end() && rs->is_array())
      for (const auto& x : *rs)
        b.recipients.push_back(
            {x.value("address", ""), x.value("action", ""), x.value("status", ""), x.value("diagnostic", "")});
    r.bounce = std::move(b);
  }
  r.defects = j.value("defects", std::vector<std::string>{});
  r.size = integer_or(j, "size", std::uint64_t{0});
  check_record(r);
}

}  // namespace forumgate::post
