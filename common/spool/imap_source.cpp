#include "spool/imap_source.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

#include "cli/error.hpp"

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

// "* 3 FETCH (UID 17)" lines: the UIDs, in the server's order.
std::vector<RemoteMessage> parse_uid_fetch(const std::string& source, std::string_view text) {
  std::vector<RemoteMessage> out;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
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
    std::string answer = session_.run(mailbox_, ("EXAMINE " + imap_quoted(session_.url().mailbox)).c_str());
    validity_ = number_after(answer, "[UIDVALIDITY ");
    if (validity_.empty()) {
      throw Error(Exit::unavailable, session_.source() + ": the server sent no UIDVALIDITY for the mailbox");
    }
    return validity_;
  }

  std::vector<RemoteMessage> list() override {
    return parse_uid_fetch(session_.source(), session_.run(mailbox_, "UID FETCH 1:* (UID)"));
  }

  std::string fetch(const RemoteMessage& m) override {
    return session_.run(mailbox_ + ";UIDVALIDITY=" + validity_ + "/;UID=" + m.number, nullptr);
  }

  void remove(const std::vector<RemoteMessage>& messages) override {
    if (messages.empty()) return;
    std::string answer = session_.run(mailbox_, ("SELECT " + imap_quoted(session_.url().mailbox)).c_str());
    if (number_after(answer, "[UIDVALIDITY ") != validity_) {
      throw Error(Exit::tempfail, session_.source() + ": the mailbox's UIDVALIDITY changed during the session");
    }
    if (session_.last_response().find("[READ-ONLY]") != std::string::npos) {
      throw Error(Exit::noperm, session_.source() + ": the server opens the mailbox read-only; cannot delete");
    }
    bool uidplus = session_.run("", "CAPABILITY").find(" UIDPLUS") != std::string::npos;
    // Short commands: servers limit a command line's length (Dovecot: 64 kB).
    const auto sets = uid_sets(messages, 500);
    for (const auto& set : sets) session_.run(mailbox_, ("UID STORE " + set + " +FLAGS.SILENT (\\Deleted)").c_str());
    if (uidplus) {
      for (const auto& set : sets) session_.run(mailbox_, ("UID EXPUNGE " + set).c_str());
    } else {
      session_.run(mailbox_, "EXPUNGE");
    }
  }

 private:
  RemoteSession session_;
  std::string mailbox_;
  std::string validity_;
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
  std::string answer = session.run("", ("STATUS " + imap_quoted(session.url().mailbox) + " (MESSAGES)").c_str());
  std::string n = number_after(answer, "(MESSAGES ");
  if (n.empty()) throw Error(Exit::unavailable, session.source() + ": unexpected answer to STATUS: " + answer);
  return std::stoull(n);
}

}  // namespace forumgate::spool
