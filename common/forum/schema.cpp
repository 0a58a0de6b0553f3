#include "forum/schema.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "mime/header.hpp"

namespace forumgate::forum {

namespace {

// The columns the statements use of a table (its placeholder).
std::vector<std::string> wanted_columns(const Profile& profile, const std::string& placeholder) {
  std::vector<std::string> wanted;
  for (const auto& [name, statement] : profile.statements())
    for (const auto& [t, columns] : statement.uses)
      if (t == placeholder) wanted.insert(wanted.end(), columns.begin(), columns.end());
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  return wanted;
}

// What is missing of the tables (placeholder, name) the statements use;
// columns: where their rows go (name, column, charset, octet length).
// One query for all the tables: information_schema is slow to ask, and
// a process per message (an MTA's pipe) pays for each question.
std::vector<std::string> missing_columns(Connection& db, const Profile& profile,
                                         const std::vector<std::pair<std::string, std::string>>& tables,
                                         std::vector<Row>* columns = nullptr) {
  std::string sql =
      "SELECT TABLE_NAME, COLUMN_NAME, CHARACTER_SET_NAME, CHARACTER_OCTET_LENGTH FROM information_schema.COLUMNS "
      "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (";
  std::vector<Value> params;
  for (const auto& [placeholder, table] : tables) {
    sql += params.empty() ? "?" : ", ?";
    params.emplace_back(table);
  }
  auto rows = db.query(sql + ")", params);
  std::vector<std::string> missing;
  for (const auto& [placeholder, table] : tables) {
    bool table_found = false;
    for (const auto& row : rows) table_found = table_found || (row[0] && *row[0] == table);
    if (!table_found) {
      missing.push_back("table " + table);
      continue;
    }
    for (const auto& column : wanted_columns(profile, placeholder)) {
      bool found = false;
      for (const auto& row : rows)
        found = found || (row[0] && *row[0] == table && row[1] && mime::iequals(*row[1], column));
      if (!found) missing.push_back("column " + table + "." + column);
    }
  }
  if (columns) *columns = std::move(rows);
  return missing;
}

}  // namespace

void check_schema(Connection& db, const Profile& profile) {
  std::vector<std::pair<std::string, std::string>> tables;
  for (const auto& [name, statement] : profile.statements())
    for (const auto& [t, columns] : statement.uses)
      if (t.find("{messages}") == std::string::npos) tables.emplace_back(t, profile.table(t));
  std::sort(tables.begin(), tables.end());
  tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
  // Every table and column named in a statement that reads nothing (the
  // server resolves names before it sees that WHERE FALSE is never true):
  // a fraction of what information_schema costs, and the server's
  // max_allowed_packet with it. Built-in names only (replaced statements
  // use none), each table checked to be an identifier.
  std::string sql;
  for (const auto& [placeholder, table] : tables) {
    std::string list;
    for (const auto& column : wanted_columns(profile, placeholder)) list += (list.empty() ? "`" : ", `") + column + "`";
    if (list.empty()) continue;
    check_identifier(table, "table");
    sql += "SELECT COALESCE(" + list + ") FROM `" + table + "` WHERE FALSE UNION ALL ";
  }
  sql += "SELECT @@max_allowed_packet";
  try {
    auto rows = db.query(sql);
    if (!rows.empty() && rows[0][0]) db.know_max_packet(std::stoull(*rows[0][0]));
    return;
  } catch (const DbError& e) {
    if (e.status() != Exit::config) throw;
    // What is missing, all of it: information_schema knows.
    auto missing = missing_columns(db, profile, tables);
    if (missing.empty()) throw;
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    throw Error(
        Exit::config,
        "the database lacks what forumpost needs (share/forumgate/upgrade-notify.sql adds it to an older one): " +
            list);
  }
}

std::optional<Forum> read_forum(Connection& db, const Profile& profile, const std::string& name) {
  auto rows = db.query(profile.sql("find_forum"), {name});
  if (rows.empty() || !rows[0][1]) return std::nullopt;
  Forum f{name, *rows[0][1], "utf8mb4", 0, {}};
  check_identifier(f.table, "forum " + name + "'s message table (bn_db)");
  std::vector<Row> columns;
  if (auto missing = missing_columns(db, profile, {{"{messages}", f.table}}, &columns); !missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    throw Error(Exit::config, "forum " + name + ": the database lacks " + list);
  }
  // The body column's character set and size came with the check, unless
  // the user says how to find them.
  std::optional<Row> body;
  for (const auto& row : columns) {
    if (row[1] && mime::iequals(*row[1], "body")) body = Row{row[2], row[3]};
    if (row[1]) f.charsets[mime::to_lower(*row[1])] = row[2].value_or("binary");
  }
  if (profile.statements().at("body_charset").replaced) {
    auto found = db.query(profile.sql("body_charset"), {f.table});
    body.reset();
    if (!found.empty()) body = found[0];
  }
  if (body && !body->empty() && (*body)[0]) f.charset = *(*body)[0];
  if (body && body->size() > 1 && (*body)[1]) f.body_max = std::stoull(*(*body)[1]);
  return f;
}

}  // namespace forumgate::forum
