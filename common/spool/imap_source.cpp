#include "spool/imap_source.hpp"

#include <algorithm>
#include <set>
#include <string_view>
#include <vector>

#include "util/error.hpp"
#include "util/text.hpp"

namespace forumgate::spool {
namespace {

// The decimal number after key in text ("[UIDVALIDITY ", "(MESSAGES "), or "".
std::string number_after(std::string_view text, std::string_view key) {
  size_t at = text.find(key);
  if (at == std::string_view::npos) return {};
  at += key.size();
  size_t end = at;
  while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
  return std::string(text.substr(at, end - at));
}

// N of the "* N EXISTS" line, or "".
std::string exists_count(std::string_view text) {
  for (std::string_view line : util::split_lines(text)) {
    if (line.size() > 9 && line.substr(0, 2) == "* " && line.substr(line.size() - 7) == " EXISTS") {
      std::string_view n = line.substr(2, line.size() - 9);
      if (!n.empty() && n.find_first_not_of("0123456789") == std::string_view::npos) return std::string(n);
    }
  }
  return {};
}

// "* 3 FETCH (UID 17)" lines: the UIDs, in the server's order.
std::vector<RemoteMessage> parse_uid_fetch(const std::string& source, std::string_view text) {
  std::vector<RemoteMessage> out;
  for (std::string_view line : util::split_lines(text)) {
    if (line.find(" FETCH (") == std::string_view::npos) continue;  // "* 3 EXISTS" and the like
    size_t open = line.find('(');
    std::string uid = number_after(line.substr(open), "UID ");
    if (uid.empty() || uid[0] == '0') {
      throw Error(Exit::unavailable, source + ": unexpected FETCH response: " + std::string(line));
    }
    out.push_back({uid, uid});
  }
  return out;
}

// "1:5,7,9" for sorted UIDs, at most per_set UIDs in each set.
std::vector<std::string> uid_sets(const std::vector<RemoteMessage>& messages, size_t per_set) {
  std::vector<uint64_t> uids;
  for (const auto& m : messages) uids.push_back(std::stoull(m.number));
  std::sort(uids.begin(), uids.end());
  std::vector<std::string> sets;
  for (size_t i = 0; i < uids.size();) {
    std::string set;
    size_t end = std::min(uids.size(), i + per_set);
    while (i < end) {
      size_t j = i;
      while (j + 1 < end && uids[j + 1] == uids[j] + 1) ++j;
      if (!set.empty()) set += ',';
      set += std::to_string(uids[i]);
      if (j > i) set += ':' + std::to_string(uids[j]);
      i = j + 1;
    }
    sets.push_back(std::move(set));
  }
  return sets;
}

class ImapMailbox final : public RemoteMailbox {
 public:
  ImapMailbox(const std::string& source, const RemoteUrl& url)
      : session_(source, url, {mailsplit_netrc}), mailbox_(url.mailbox_in_url) {}

  std::string validity() override {
    // libcurl SELECTs the mailbox of the URL before the custom command;
    // EXAMINE then re-opens it read-only, so that no FETCH sets \Seen.
    std::string answer = session_.run(mailbox_, ("EXAMINE " + imap_quoted(session_.url().mailbox_on_server)).c_str());
    validity_ = number_after(answer, "[UIDVALIDITY ");
    std::string exists = exists_count(answer);
    if (exists.empty())
      throw Error(Exit::unavailable, session_.source() + ": the server sent no EXISTS for the mailbox");
    exists_ = std::stoull(exists);
    if (validity_.empty()) {
      throw Error(Exit::unavailable, session_.source() + ": the server sent no UIDVALIDITY for the mailbox");
    }
    return validity_;
  }

  std::vector<RemoteMessage> list() override {
    // By message numbers, a few at a time (see the header); a message
    // another client expunges meanwhile shifts the numbers, so a UID may
    // come twice (once is kept) or a message be missed (taken next time).
    std::vector<RemoteMessage> out;
    std::set<std::string> seen;
    for (uint64_t first = 1; first <= exists_; first += lines_per_response) {
      uint64_t last = std::min(exists_, first + lines_per_response - 1);
      std::string command = "FETCH " + std::to_string(first) + ":" + std::to_string(last) + " (UID)";
      for (auto& m : parse_uid_fetch(session_.source(), session_.run(mailbox_, command.c_str()))) {
        if (seen.insert(m.uid).second) out.push_back(std::move(m));
      }
    }
    return out;
  }

  std::string fetch(const RemoteMessage& m) override {
    return session_.run(mailbox_ + ";UIDVALIDITY=" + validity_ + "/;UID=" + m.number, nullptr);
  }

  void remove(const std::vector<RemoteMessage>& messages) override {
    if (messages.empty()) return;
    std::string answer = session_.run(mailbox_, ("SELECT " + imap_quoted(session_.url().mailbox_on_server)).c_str());
    if (number_after(answer, "[UIDVALIDITY ") != validity_) {
      throw Error(Exit::tempfail, session_.source() + ": the mailbox's UIDVALIDITY changed during the session");
    }
    if (session_.last_response().find("[READ-ONLY]") != std::string::npos) {
      throw Error(Exit::noperm, session_.source() + ": the server opens the mailbox read-only; cannot delete");
    }
    bool uidplus = session_.run("", "CAPABILITY").find(" UIDPLUS") != std::string::npos;
    // A few at a time: each expunged message is a response line (see the header).
    for (const auto& set : uid_sets(messages, lines_per_response)) {
      session_.run(mailbox_, ("UID STORE " + set + " +FLAGS.SILENT (\\Deleted)").c_str());
      session_.run(mailbox_, uidplus ? ("UID EXPUNGE " + set).c_str() : "EXPUNGE");
    }
  }

 private:
  // libcurl 7.88 counts a custom command's response lines as headers,
  // adding up far more than their length, and fails the request past 300 kB
  // ("Too large response headers"): 1,000 "* N FETCH (UID N)" lines fail,
  // 150 pass. 50 leave room for long numbers.
  static constexpr uint64_t lines_per_response = 50;

  RemoteSession session_;
  std::string mailbox_;
  std::string validity_;
  uint64_t exists_ = 0;
};

}  // namespace

std::string imap_quoted(const std::string& mailbox) {
  std::string out = "\"";
  for (char c : mailbox) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::unique_ptr<RemoteMailbox> open_imap(const std::string& source, const RemoteUrl& url) {
  return std::make_unique<ImapMailbox>(source, url);
}

uint64_t imap_message_count(RemoteSession& session) {
  std::string answer =
      session.run("", ("STATUS " + imap_quoted(session.url().mailbox_on_server) + " (MESSAGES)").c_str());
  std::string n = number_after(answer, "(MESSAGES ");
  if (n.empty()) throw Error(Exit::unavailable, session.source() + ": unexpected answer to STATUS: " + answer);
  return std::stoull(n);
}

}  // namespace forumgate::spool
