#include "forum/profile.hpp"

#include "util/error.hpp"

namespace forumgate::forum {

void check_identifier(const std::string& s, const std::string& what) {
  bool ok = !s.empty() && s.size() <= 64;
  bool digits_only = true;
  for (char c : s) {
    bool digit = c >= '0' && c <= '9';
    digits_only = digits_only && digit;
    ok = ok && (digit || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$');
  }
  if (!ok || digits_only)
    throw Error(Exit::config, what + " \"" + s + "\" is not a table name (letters, digits, _ and $ only)");
}

namespace {

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
  return s;
}

// forumnotify's: the posts since its last run, what a post's mail needs,
// the subscribers, and its delivery state.
void add_notify_statements(std::map<std::string, Statement>& s) {
  s["list_forums"] = {"SELECT bn_name, bn_db, bn_title FROM `{site}` WHERE category = 0 ORDER BY cle",
                      {{"{site}", {"bn_name", "bn_db", "bn_title", "category"}}}};
  // One run per forum at a time, on a cluster too (a GET_LOCK is one
  // node's): a lease row, taken when it is free, expired or already ours,
  // and renewed by the same statement. MySQL assigns left to right, so
  // expires sees the holder just written. The server's clock, so that the
  // gateway hosts' clocks do not matter.
  s["notify_lease"] = {
      "INSERT INTO `{site}_fg_leases` (name, holder, expires) VALUES (?, ?, UNIX_TIMESTAMP() + ?) "
      "ON DUPLICATE KEY UPDATE holder = IF(expires < UNIX_TIMESTAMP() OR holder = VALUES(holder), "
      "VALUES(holder), holder), expires = IF(holder = VALUES(holder), VALUES(expires), expires)",
      {{"{site}_fg_leases", {"name", "holder", "expires"}}}};
  s["notify_lease_holder"] = {"SELECT holder FROM `{site}_fg_leases` WHERE name = ?", {}};
  // A holder of this host whose process is gone: its lease, at once.
  s["notify_lease_steal"] = {
      "UPDATE `{site}_fg_leases` SET holder = ?, expires = UNIX_TIMESTAMP() + ? WHERE name = ? AND holder = ?", {}};
  s["notify_lease_release"] = {"UPDATE `{site}_fg_leases` SET expires = 0 WHERE name = ? AND holder = ?", {}};
  s["notify_cursor"] = {"SELECT last_post FROM `{site}_fg_notify` WHERE bn_name = ?",
                        {{"{site}_fg_notify", {"bn_name", "last_post", "unixdate"}}}};
  s["set_notify_cursor"] = {
      "INSERT INTO `{site}_fg_notify` (bn_name, last_post, unixdate) VALUES (?, ?, ?) "
      "ON DUPLICATE KEY UPDATE last_post = VALUES(last_post), unixdate = VALUES(unixdate)",
      {}};
  s["newest_post"] = {"SELECT COALESCE(MAX(cle), 0) FROM `{messages}`", {{"{messages}", {"cle"}}}};
  s["new_posts"] = {"SELECT cle FROM `{messages}` WHERE cle > ? ORDER BY cle LIMIT 1000", {}};
  s["add_to_outbox"] = {"INSERT IGNORE INTO `{site}_fg_outbox` (bn_name, post_id, unixdate) VALUES (?, ?, ?)",
                        {{"{site}_fg_outbox", {"bn_name", "post_id", "unixdate"}}}};
  s["outbox"] = {"SELECT post_id FROM `{site}_fg_outbox` WHERE bn_name = ? ORDER BY post_id", {}};
  s["leave_outbox"] = {"DELETE FROM `{site}_fg_outbox` WHERE bn_name = ? AND post_id = ?", {}};
  s["post_for_mail"] = {
      "SELECT cle, parent, thread, subject, body, userid, unixdate, hidden FROM `{messages}` WHERE cle = ?",
      {{"{messages}", {"cle", "parent", "thread", "subject", "body", "userid", "unixdate", "hidden"}}}};
  s["thread_posts"] = {"SELECT cle, parent FROM `{messages}` WHERE thread = ? OR cle = ?", {}};
  s["post_message_ids"] = {
      "SELECT post_id, message_id, sender FROM `{site}_fg_messages` WHERE bn_name = ? AND post_id IN ({keys})",
      {{"{site}_fg_messages", {"post_id", "message_id", "sender"}}}};
  s["post_author"] = {"SELECT username, firstname, name, useraddress FROM `{site}_users` WHERE userid = ?", {}};
  s["post_attachments"] = {
      "SELECT att_id, att_name, att_path FROM `{site}_attachments` WHERE note_id = ? "
      "ORDER BY att_id",
      {}};
  // Active subscribers since before the post, less those who have it.
  s["subscribers"] = {
      "SELECT s.address FROM `{site}_fg_subscriptions` s LEFT JOIN `{site}_fg_deliveries` d "
      "ON d.bn_name = s.bn_name AND d.post_id = ? AND d.address = s.address "
      "WHERE s.bn_name = ? AND s.unixdate <= ? AND s.disabled = 0 AND d.address IS NULL ORDER BY s.address",
      {{"{site}_fg_subscriptions", {"bn_name", "address", "unixdate", "disabled"}}}};
  s["record_delivery"] = {
      "INSERT IGNORE INTO `{site}_fg_deliveries` (bn_name, post_id, address, unixdate, status) "
      "VALUES (?, ?, ?, ?, ?)",
      {{"{site}_fg_deliveries", {"bn_name", "post_id", "address", "unixdate", "status"}}}};
  // Bounces of the forum's mail (forum/bounces.hpp), from forumpost and
  // from forumnotify's SMTP refusals.
  s["find_subscription"] = {"SELECT address, disabled FROM `{site}_fg_subscriptions` WHERE bn_name = ? AND address = ?",
                            {}};
  s["record_bounce"] = {
      "INSERT INTO `{site}_fg_bounces` (bn_name, address, unixdate, status, hard) VALUES (?, ?, ?, ?, ?)",
      {{"{site}_fg_bounces", {"bn_name", "address", "unixdate", "status", "hard"}}}};
  s["count_hard_bounces"] = {
      "SELECT COUNT(DISTINCT unixdate DIV 86400) FROM `{site}_fg_bounces` "
      "WHERE bn_name = ? AND address = ? AND hard = 1 AND unixdate > ?",
      {}};
  s["disable_subscription"] = {
      "UPDATE `{site}_fg_subscriptions` SET disabled = ?, disabled_reason = ? "
      "WHERE bn_name = ? AND address = ? AND disabled = 0",
      {}};
  s["forget_deliveries"] = {"DELETE FROM `{site}_fg_deliveries` WHERE bn_name = ? AND post_id = ?", {}};
}

}  // namespace

Profile Profile::wagora(const std::string& site) {
  check_identifier(site, "site");
  Profile p;
  p.site_ = site;
  auto& s = p.statements_;
  s["find_forum"] = {"SELECT cle, bn_db FROM `{site}` WHERE bn_name = ? AND category = 0",
                     {{"{site}", {"cle", "bn_name", "bn_db", "category"}}}};
  s["find_user"] = {"SELECT userid, username, firstname, name FROM `{site}_users` WHERE useraddress = ?",
                    {{"{site}_users", {"userid", "username", "firstname", "name", "useraddress"}}}};
  s["check_write"] = {"SELECT writepriv, modpriv FROM `{site}_userforum` WHERE userid = ? AND bn_name = ?",
                      {{"{site}_userforum", {"userid", "bn_name", "writepriv", "modpriv"}}}};
  s["find_message"] = {
      "SELECT message_key, post_id, thread FROM `{site}_fg_messages` WHERE bn_name = ? AND message_key IN ({keys})",
      {{"{site}_fg_messages", {"bn_name", "message_key", "post_id", "thread"}}}};
  s["find_post"] = {"SELECT cle, thread FROM `{messages}` WHERE cle = ?", {{"{messages}", {"cle", "thread"}}}};
  s["find_thread_by_subject"] = {
      "SELECT cle, thread FROM `{messages}` WHERE parent = 0 AND subject = ? ORDER BY cle DESC LIMIT 1",
      {{"{messages}", {"cle", "thread", "parent", "subject"}}}};
  s["insert_post"] = {
      "INSERT INTO `{messages}` (parent, thread, subject, body, summary, userid, unixdate, ip, hidden) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {{"{messages}", {"parent", "thread", "subject", "body", "summary", "userid", "unixdate", "ip", "hidden"}}}};
  s["start_thread"] = {"UPDATE `{messages}` SET thread = cle WHERE cle IN ({keys})", {}};
  s["update_forum_counters"] = {
      "UPDATE `{site}` SET totalnotes = totalnotes + ?, totalthreads = totalthreads + ?, unixdate = ? "
      "WHERE bn_name = ?",
      {{"{site}", {"totalnotes", "totalthreads", "unixdate"}}}};
  s["update_user_counters"] = {
      "UPDATE `{site}_userforum` SET totalpost = totalpost + ?, lastpost = ? WHERE userid = ? AND bn_name = ?",
      {{"{site}_userforum", {"totalpost", "lastpost"}}}};
  s["record_message"] = {
      "INSERT INTO `{site}_fg_messages` (bn_name, message_key, message_id, post_id, thread, unixdate, sender) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      {{"{site}_fg_messages", {"message_id", "unixdate", "sender"}}}};
  s["record_attachment"] = {
      "INSERT INTO `{site}_attachments` (att_name, att_path, unixdate, note_id) VALUES (?, ?, ?, ?)",
      {{"{site}_attachments", {"att_id", "att_name", "att_path", "unixdate", "note_id"}}}};
  // The body again, with links to the inline images' stored files.
  s["link_attachments"] = {"UPDATE `{messages}` SET body = ? WHERE cle = ?", {{"{messages}", {"body", "cle"}}}};
  // A confirmed subscription again: active again, whatever disabled it.
  s["subscribe"] = {
      "INSERT INTO `{site}_fg_subscriptions` (bn_name, address, unixdate) VALUES (?, ?, ?) "
      "ON DUPLICATE KEY UPDATE disabled = 0, disabled_reason = ''",
      {{"{site}_fg_subscriptions", {"bn_name", "address", "unixdate", "disabled", "disabled_reason"}}}};
  s["unsubscribe"] = {"DELETE FROM `{site}_fg_subscriptions` WHERE bn_name = ? AND address = ?", {}};
  s["add_confirmation"] = {
      "INSERT INTO `{site}_fg_confirmations` (token, bn_name, address, action, expires) VALUES (?, ?, ?, ?, ?)",
      {{"{site}_fg_confirmations", {"token", "bn_name", "address", "action", "expires"}}}};
  s["take_confirmation"] = {
      "SELECT bn_name, address, action, expires FROM `{site}_fg_confirmations` WHERE token = ? FOR UPDATE", {}};
  s["drop_confirmation"] = {"DELETE FROM `{site}_fg_confirmations` WHERE token = ? OR expires < ?", {}};
  s["record_rejection"] = {
      "INSERT INTO `{site}_fg_rejections` (unixdate, bn_name, sender, message_id, reason) VALUES (?, ?, ?, ?, ?)",
      {{"{site}_fg_rejections", {"unixdate", "bn_name", "sender", "message_id", "reason"}}}};
  s["record_notice"] = {"INSERT INTO `{site}_fg_notices` (address, reason, day) VALUES (?, ?, ?)",
                        {{"{site}_fg_notices", {"address", "reason", "day"}}}};
  s["rate_count"] = {
      "SELECT COALESCE(SUM(posts), 0), COALESCE(SUM(waits), 0) FROM `{site}_fg_rates` "
      "WHERE scope = ? AND name = ? AND minute > ?",
      {{"{site}_fg_rates", {"scope", "name", "minute", "posts", "waits"}}}};
  s["rate_add"] = {
      "INSERT INTO `{site}_fg_rates` (scope, name, minute, posts, waits) VALUES (?, ?, ?, ?, ?) "
      "ON DUPLICATE KEY UPDATE posts = posts + VALUES(posts), waits = waits + VALUES(waits)",
      {}};
  s["rate_expire"] = {"DELETE FROM `{site}_fg_rates` WHERE minute <= ?", {}};
  s["list_forums"] = {"SELECT bn_name FROM `{site}` WHERE category = 0 ORDER BY bn_name", {{"{site}", {"category"}}}};
  s["body_charset"] = {
      "SELECT CHARACTER_SET_NAME, CHARACTER_OCTET_LENGTH FROM information_schema.COLUMNS "
      "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = 'body'",
      {}};
  add_notify_statements(s);
  return p;
}

void Profile::override_statement(const std::string& name, const std::string& sql) {
  auto it = statements_.find(name);
  if (it == statements_.end()) throw Error(Exit::config, "no SQL statement is named \"" + name + "\"");
  it->second = {sql, {}, true};
}

std::string Profile::table(const std::string& name, const std::string& messages_table) const {
  std::string t = replace_all(name, "{site}", site_);
  if (t.find("{messages}") != std::string::npos) {
    check_identifier(messages_table, "message table");
    t = replace_all(t, "{messages}", messages_table);
  }
  return t;
}

std::string Profile::sql(const std::string& name, const std::string& messages_table, std::size_t keys) const {
  auto it = statements_.find(name);
  if (it == statements_.end()) throw Error(Exit::software, "no SQL statement is named \"" + name + "\"");
  std::string markers = "?";
  for (std::size_t i = 1; i < keys; ++i) markers += ", ?";
  return replace_all(table(it->second.sql, messages_table), "{keys}", markers);
}

}  // namespace forumgate::forum
