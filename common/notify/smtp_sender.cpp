// SMTP through libcurl's multi interface: several connections at once,
// each kept open for message after message (one transaction each), since
// the MTA's time per message is mostly its own queue file, which it writes
// in parallel for parallel clients.

#include <cstring>
#include <vector>

#include "mime/writer.hpp"
#include "notify/sender.hpp"
#include "spool/libcurl.hpp"
#include "util/error.hpp"

namespace forumgate::notify {
namespace {

// LF line ends as SMTP's CRLF (RFC 5321 2.3.8); libcurl adds the dots.
std::string with_crlf(const std::string& m) {
  std::string out;
  out.reserve(m.size() + m.size() / 30);
  for (char c : m) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

class SmtpSender : public Sender {
 public:
  explicit SmtpSender(const SmtpOptions& o) : o_(o), curl_(spool::libcurl()) {
    if (o.url.rfind("smtp://", 0) != 0 && o.url.rfind("smtps://", 0) != 0)
      throw Error(Exit::usage, "--smtp " + o.url + ": not an smtp:// or smtps:// URL");
    multi_ = curl_.multi_init();
    if (!multi_) throw Error(Exit::software, "cannot start libcurl");
    slots_.resize(o.connections ? o.connections : 1);
    for (auto& s : slots_) {
      s.handle = curl_.easy_init();
      if (!s.handle) throw Error(Exit::software, "cannot start libcurl");
      setup(s);
    }
  }
  ~SmtpSender() override {
    for (auto& s : slots_) {
      if (s.busy) curl_.multi_remove_handle(multi_, s.handle);
      if (s.recipients) curl_.slist_free_all(s.recipients);
      if (s.handle) curl_.easy_cleanup(s.handle);
    }
    if (multi_) curl_.multi_cleanup(multi_);
  }

  void wait_for_room() override {
    while (!free_slot()) pump();
  }

  void send(std::uint64_t tag, const Envelope& envelope, std::shared_ptr<const std::string> message) override {
    wait_for_room();
    Slot* slot = free_slot();
    if (message != last_message_) {
      last_message_ = message;
      last_crlf_ = std::make_shared<const std::string>(with_crlf(*message));
    }
    slot->data = last_crlf_;
    slot->offset = 0;
    slot->tag = tag;
    slot->error[0] = '\0';
    slot->reply.clear();
    if (slot->recipients) curl_.slist_free_all(slot->recipients);
    slot->recipients = nullptr;
    for (const auto& r : envelope.recipients)
      slot->recipients = curl_.slist_append(slot->recipients, ("<" + r + ">").c_str());
    slot->sender = "<" + envelope.sender + ">";
    curl_.easy_setopt(slot->handle, CURLOPT_MAIL_FROM, slot->sender.c_str());
    curl_.easy_setopt(slot->handle, CURLOPT_MAIL_RCPT, slot->recipients);
    slot->busy = true;
    curl_.multi_add_handle(multi_, slot->handle);
    int running = 0;
    curl_.multi_perform(multi_, &running);
    collect();
  }

  void flush() override {
    while (busy()) pump();
  }

 private:
  struct Slot {
    CURL* handle = nullptr;
    curl_slist* recipients = nullptr;
    std::string sender;
    std::shared_ptr<const std::string> data;
    std::size_t offset = 0;
    std::uint64_t tag = 0;
    bool busy = false;
    char error[CURL_ERROR_SIZE] = {};
    std::string reply;  // the server's last reply line, for the reason
  };

  // libcurl says "RCPT failed: 550"; the server's own words (with the
  // RFC 3463 code a bounce is counted by) come through its debug output.
  static int remember_reply(CURL*, curl_infotype type, char* data, size_t size, void* user) {
    // Only a refusal: libcurl's QUIT after it has a reply too.
    if (type != CURLINFO_HEADER_IN || size == 0 || (data[0] != '4' && data[0] != '5')) return 0;
    auto* s = static_cast<Slot*>(user);
    s->reply.assign(data, std::min<size_t>(size, 512));
    while (!s->reply.empty() && (s->reply.back() == '\n' || s->reply.back() == '\r')) s->reply.pop_back();
    return 0;
  }

  static size_t read_message(char* buffer, size_t size, size_t count, void* user) {
    auto* s = static_cast<Slot*>(user);
    size_t n = std::min(size * count, s->data->size() - s->offset);
    std::memcpy(buffer, s->data->data() + s->offset, n);
    s->offset += n;
    return n;
  }

  void setup(Slot& s) {
    CURL* h = s.handle;
    curl_.easy_setopt(h, CURLOPT_URL, o_.url.c_str());
    curl_.easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_.easy_setopt(h, CURLOPT_READFUNCTION, read_message);
    curl_.easy_setopt(h, CURLOPT_READDATA, &s);
    curl_.easy_setopt(h, CURLOPT_ERRORBUFFER, s.error);
    curl_.easy_setopt(h, CURLOPT_DEBUGFUNCTION, remember_reply);
    curl_.easy_setopt(h, CURLOPT_DEBUGDATA, &s);
    curl_.easy_setopt(h, CURLOPT_VERBOSE, 1L);  // for the debug function only: it prints nothing
    curl_.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_.easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(o_.require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    curl_.easy_setopt(h, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_OPTIONAL));
    if (!o_.netrc.empty()) curl_.easy_setopt(h, CURLOPT_NETRC_FILE, o_.netrc.c_str());
    if (const char* file = std::getenv("SSL_CERT_FILE"); file && *file) curl_.easy_setopt(h, CURLOPT_CAINFO, file);
    if (const char* dir = std::getenv("SSL_CERT_DIR"); dir && *dir) curl_.easy_setopt(h, CURLOPT_CAPATH, dir);
    curl_.easy_setopt(h, CURLOPT_CONNECTTIMEOUT, o_.connect_seconds);
    curl_.easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_.easy_setopt(h, CURLOPT_LOW_SPEED_TIME, o_.silence_seconds);
  }

  Slot* free_slot() {
    for (auto& s : slots_)
      if (!s.busy) return &s;
    return nullptr;
  }
  bool busy() const {
    for (const auto& s : slots_)
      if (s.busy) return true;
    return false;
  }

  // Runs the transfers until at least one has ended.
  void pump() {
    int running = 0;
    curl_.multi_perform(multi_, &running);
    if (collect()) return;
    curl_.multi_poll(multi_, nullptr, 0, 1000, nullptr);
    curl_.multi_perform(multi_, &running);
    collect();
  }

  // Answers the transfers that have ended; how many.
  int collect() {
    int ended = 0;
    int left = 0;
    while (CURLMsg* msg = curl_.multi_info_read(multi_, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Slot* s = nullptr;
      for (auto& x : slots_)
        if (x.handle == msg->easy_handle) s = &x;
      if (!s) continue;
      CURLcode result = msg->data.result;
      curl_.multi_remove_handle(multi_, s->handle);
      s->busy = false;
      s->data.reset();
      ++ended;
      Outcome o;
      if (result == CURLE_OK) {
        o.answer = Answer::accepted;
      } else {
        long code = 0;
        curl_.easy_getinfo(s->handle, CURLINFO_RESPONSE_CODE, &code);
        o.answer = code >= 500 && code < 600 ? Answer::refused : Answer::deferred;
        o.reason = o_.url + ": " + (s->error[0] ? std::string(s->error) : curl_.easy_strerror(result));
        if (code && !s->reply.empty()) o.reason += " (" + mime::clean_header_text(s->reply) + ")";
      }
      if (done_) done_(s->tag, o);
    }
    return ended;
  }

  SmtpOptions o_;
  const spool::Libcurl& curl_;
  CURLM* multi_ = nullptr;
  std::vector<Slot> slots_;
  std::shared_ptr<const std::string> last_message_, last_crlf_;
};

}  // namespace

std::unique_ptr<Sender> smtp_sender(const SmtpOptions& options) { return std::make_unique<SmtpSender>(options); }

}  // namespace forumgate::notify
