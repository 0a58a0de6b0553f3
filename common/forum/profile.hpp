#pragma once
// A forum described by named SQL statements with bound parameters, like
// Postfix's mysql_table(5) queries and Dovecot's SQL driver: forumpost's
// logic names what it needs ("insert_post"), the profile says how this
// forum's database does it. The built-in profile is W-Agora 4.x; any
// statement can be replaced from the config file.
//
// Statements may name tables through placeholders, replaced before
// preparing: {site} (the site's table prefix) and {messages} (the message
// table of the forum at hand, from the site table's bn_db). Both are checked
// to be plain identifiers; values are never put into SQL text, only bound
// to its ? markers. {keys} stands for a list of markers, one per value of
// a list (find_message: a message's own key and its parents' in one query).

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace forumgate::forum {

struct Statement {
  std::string sql;
  // The tables ({site}... or {messages}) and columns it uses, for the
  // schema check at start; empty for statements replaced by the user
  // (preparing them checks them).
  std::vector<std::pair<std::string, std::vector<std::string>>> uses;
  bool replaced = false;  // by the user
};

class Profile {
 public:
  // W-Agora 4.x with site (table prefix) site.
  static Profile wagora(const std::string& site);

  // Replaces statement name (Error(78) when there is no such statement).
  void override_statement(const std::string& name, const std::string& sql);

  // The SQL of name, placeholders replaced; messages_table may be "" for
  // statements that do not use {messages}; {keys} becomes keys markers.
  std::string sql(const std::string& name, const std::string& messages_table = "", std::size_t keys = 1) const;
  const std::map<std::string, Statement>& statements() const { return statements_; }
  const std::string& site() const { return site_; }
  // A table name with its placeholders replaced.
  std::string table(const std::string& name, const std::string& messages_table = "") const;

 private:
  std::string site_;
  std::map<std::string, Statement> statements_;
};

// Whether s is a plain SQL identifier: letters, digits, '_' and '$', at most
// 64 bytes, not all digits. Error(78) naming what when it is not.
void check_identifier(const std::string& s, const std::string& what);

}  // namespace forumgate::forum
