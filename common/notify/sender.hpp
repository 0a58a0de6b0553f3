#pragma once
// Handing messages to the MTA: sendmail(1) as a command, or SMTP through
// libcurl (smtp://, smtps://, STARTTLS when the server offers it). Both
// keep several messages in flight (processes, connections) and say, for
// each, what the MTA answered: only then is a delivery recorded.
//
// The MTA's answer for one message: accepted (sendmail exited 0, or SMTP
// 250 after the data), refused (SMTP 5xx: the MTA will never take it),
// or deferred (a 4xx, sendmail failing, the MTA unreachable: try later).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace forumgate::notify {

struct Envelope {
  std::string sender;                   // MAIL FROM, sendmail -f
  std::vector<std::string> recipients;  // RCPT TO, after sendmail's --
};

enum class Answer { accepted, refused, deferred };

struct Outcome {
  Answer answer = Answer::deferred;
  std::string reason;  // the MTA's words, for refused and deferred
};

class Sender {
 public:
  using Done = std::function<void(std::uint64_t tag, const Outcome& outcome)>;
  virtual ~Sender() = default;
  // Hands message to the MTA for envelope; done(tag, ...) is called once
  // the MTA has answered, from within send() or flush(). send() may wait
  // for an earlier message first.
  virtual void send(std::uint64_t tag, const Envelope& envelope, std::shared_ptr<const std::string> message) = 0;
  // Waits until send() can start a message at once; done() may be called
  // meanwhile (and may say that no more is to be sent).
  virtual void wait_for_room() = 0;
  // Waits until every message handed in has its answer.
  virtual void flush() = 0;
  void on_done(Done done) { done_ = std::move(done); }

 protected:
  Done done_;
};

// sendmail: COMMAND -f SENDER -- RECIPIENT... with the message (LF line
// ends) on its standard input, up to parallel at a time; with verp,
// COMMAND -XV -f SENDER ...: Postfix's sendmail then gives each recipient
// its own envelope sender, SENDER's local part +local=domain.
std::unique_ptr<Sender> sendmail_sender(const std::string& command, unsigned parallel, bool verp = false);

struct SmtpOptions {
  std::string url;           // smtp://host[:port], smtps://...
  unsigned connections = 4;  // at once; each kept for many messages
  bool require_tls = false;  // smtp://: refuse to go on without STARTTLS
  std::string netrc;         // credentials, when the server wants AUTH
  long connect_seconds = 30;
  long silence_seconds = 120;  // a connection silent that long is dropped
};

// SMTP through libcurl (loaded at the first message): Error(69) when it
// cannot be loaded, Error(64) for a URL that is not smtp:// or smtps://.
std::unique_ptr<Sender> smtp_sender(const SmtpOptions& options);

}  // namespace forumgate::notify
