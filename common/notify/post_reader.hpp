#pragma once
// A forum post read from the database as its mail needs it: the post, its
// author's name (and address, to leave them out), the Message-IDs of its
// thread's chain for In-Reply-To and References, its attachments.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "forum/db.hpp"
#include "forum/profile.hpp"
#include "notify/fanout.hpp"
#include "notify/message.hpp"

namespace forumgate::notify {

struct ForumInfo {
  std::string name;   // bn_name
  std::string table;  // bn_db
  std::string title;  // bn_title
};

struct StoredPost {
  MailPost mail;
  bool hidden = false;
  std::string author_address;  // the user's address; "" when unknown (a guest)
  std::string sender;          // the From address of a post made by mail; "" for a web post
};

class PostReader {
 public:
  PostReader(forum::Connection& db, const forum::Profile& profile, const NotifyOptions& options)
      : db_(db), profile_(profile), o_(options) {}
  // nullopt when the post is gone.
  std::optional<StoredPost> read(const ForumInfo& forum, std::int64_t id);

 private:
  // Each post's Message-ID; the sender of posts[0] into sender.
  std::map<std::int64_t, std::string> message_ids(const ForumInfo& forum, const std::vector<std::int64_t>& posts,
                                                  std::string& sender);
  void read_author(const std::string& userid, StoredPost& post);
  void read_attachments(StoredPost& post);

  forum::Connection& db_;
  const forum::Profile& profile_;
  const NotifyOptions& o_;
};

// pattern with {name} replaced by value, for each pair.
std::string fill(std::string pattern, const std::vector<std::pair<std::string, std::string>>& values);

}  // namespace forumgate::notify
