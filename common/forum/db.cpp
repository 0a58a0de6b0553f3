#include "forum/db.hpp"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <cstring>

namespace forumgate::forum {

std::int64_t to_int(const std::optional<std::string>& column) { return column ? std::stoll(*column) : 0; }

Exit status_of_error(unsigned code) {
  switch (code) {
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_UNKNOWN_HOST:
    case ER_LOCK_DEADLOCK:
    case ER_LOCK_WAIT_TIMEOUT:
    case ER_CON_COUNT_ERROR:
    case ER_SERVER_SHUTDOWN:
    case ER_TOO_MANY_USER_CONNECTIONS:
    case ER_OUT_OF_RESOURCES:
    case ER_QUERY_INTERRUPTED:
    case ER_UNKNOWN_COM_ERROR:          // Galera: "WSREP has not yet prepared node for application use"
    case ER_OPTION_PREVENTS_STATEMENT:  // read_only, as during a fail-over
    case ER_RECORD_FILE_FULL:           // table full
    case ER_DISK_FULL:
    case 1927:  // MariaDB's ER_CONNECTION_KILLED
    case 1969:  // MariaDB's ER_STATEMENT_TIMEOUT
      return Exit::tempfail;
    case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD:  // a value the column cannot hold
    case ER_DATA_TOO_LONG:
    case WARN_DATA_TRUNCATED: return Exit::dataerr;
    case ER_ACCESS_DENIED_ERROR:
    case ER_DBACCESS_DENIED_ERROR:
    case ER_BAD_DB_ERROR:
    case ER_NO_SUCH_TABLE:
    case ER_BAD_FIELD_ERROR:
    case ER_TABLEACCESS_DENIED_ERROR:
    case ER_COLUMNACCESS_DENIED_ERROR:
    case ER_PARSE_ERROR: return Exit::config;
    default: return Exit::software;
  }
}

unsigned db_code(const std::exception& e) {
  const auto* db = dynamic_cast<const DbError*>(&e);
  return db ? db->code() : 0;
}

bool is_conflict(const std::exception& e) {
  const unsigned code = db_code(e);
  return code == ER_LOCK_DEADLOCK || code == ER_LOCK_WAIT_TIMEOUT || code == ER_UNKNOWN_COM_ERROR;
}

void Connection::fail(const std::string& what, unsigned code, const std::string& message) const {
  throw DbError(status_of_error(code), "database: " + what + ": " + message + " (error " + std::to_string(code) + ")",
                code);
}

Connection::Connection(const ConnectOptions& options) {
  if (options.hosts.empty()) {
    connect(options, nullptr, 0);
    return;
  }
  std::string failures;
  for (const auto& host : options.hosts) {
    const std::size_t colon = host.rfind(':');
    const bool has_port = colon != std::string::npos && colon + 1 < host.size() &&
                          host.find_first_not_of("0123456789", colon + 1) == std::string::npos;
    const std::string name = has_port ? host.substr(0, colon) : host;
    const unsigned port = has_port ? static_cast<unsigned>(std::stoul(host.substr(colon + 1))) : 0;
    try {
      connect(options, name.c_str(), port);
      // A Galera node that is not part of the primary component (or not
      // synced yet) refuses every statement: the next one is tried.
      auto ready = query("SHOW STATUS LIKE 'wsrep_ready'");
      if (ready.empty() || ready[0][1].value_or("") == "ON") return;
      disconnect();
      failures += (failures.empty() ? "" : "; ") + host + ": a cluster node not ready";
    } catch (const DbError& e) {
      disconnect();
      if (!e.temporary()) throw;
      std::string why = e.what();
      if (why.rfind("database: ", 0) == 0) why.erase(0, 10);
      failures += (failures.empty() ? "" : "; ") + host + ": " + why;
    }
  }
  throw DbError(Exit::tempfail, "database: no server of --db-host answers: " + failures, CR_CONNECTION_ERROR);
}

void Connection::disconnect() {
  if (db_) mysql_close(db_);  // first: see ~Connection
  db_ = nullptr;
  for (auto& [sql, stmt] : statements_) mysql_stmt_close(stmt);
  statements_.clear();
}

void Connection::connect(const ConnectOptions& options, const char* host, unsigned port) {
  db_ = mysql_init(nullptr);
  if (!db_) throw Error(Exit::tempfail, "database: out of memory");
  if (!options.defaults_file.empty()) mysql_optionsv(db_, MYSQL_READ_DEFAULT_FILE, options.defaults_file.c_str());
  mysql_optionsv(db_, MYSQL_READ_DEFAULT_GROUP, options.group.c_str());
  unsigned timeout = options.timeout_seconds;
  mysql_optionsv(db_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_optionsv(db_, MYSQL_OPT_READ_TIMEOUT, &timeout);
  mysql_optionsv(db_, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
  // We send and read UTF-8; the server converts to each column's charset.
  mysql_optionsv(db_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  // Host, user, password, database, socket, TLS: all from the option files,
  // but for the host and port of --db-host.
  if (!mysql_real_connect(db_, host, nullptr, nullptr, nullptr, port, nullptr, 0)) {
    unsigned code = mysql_errno(db_);
    std::string message = mysql_error(db_);
    mysql_close(db_);
    db_ = nullptr;
    throw DbError(status_of_error(code), "database: cannot connect: " + message, code);
  }
  // Autocommit is the server's default: asked for only when an option
  // file's init-command turned it off (a round trip otherwise spent).
  unsigned server_status = 0;
  if (mariadb_get_infov(db_, MARIADB_CONNECTION_SERVER_STATUS, &server_status) != 0 ||
      !(server_status & SERVER_STATUS_AUTOCOMMIT))
    mysql_autocommit(db_, 1);
}

Connection::~Connection() {
  // Closed first, the connection leaves its statements only to be freed:
  // no COM_STMT_CLOSE for each, which the server does at the COM_QUIT.
  if (db_) mysql_close(db_);
  for (auto& [sql, stmt] : statements_) mysql_stmt_close(stmt);
}

std::string Connection::server_info() const { return mysql_get_server_info(db_); }

namespace {

// The parameters as MYSQL_BINDs; values must outlive the execution.
std::vector<MYSQL_BIND> bind_params(const std::vector<Value>& params, std::vector<unsigned long>& lengths,
                                    std::vector<my_bool>& nulls) {
  std::vector<MYSQL_BIND> binds(params.size());
  lengths.assign(params.size(), 0);
  nulls.assign(params.size(), 0);
  for (size_t i = 0; i < params.size(); ++i) {
    MYSQL_BIND& b = binds[i];
    std::memset(&b, 0, sizeof b);
    if (std::holds_alternative<std::nullptr_t>(params[i])) {
      b.buffer_type = MYSQL_TYPE_NULL;
      nulls[i] = 1;
      b.is_null = &nulls[i];
    } else if (const auto* n = std::get_if<std::int64_t>(&params[i])) {
      b.buffer_type = MYSQL_TYPE_LONGLONG;
      b.buffer = const_cast<std::int64_t*>(n);
    } else {
      const auto& s = std::get<std::string>(params[i]);
      b.buffer_type = MYSQL_TYPE_STRING;
      b.buffer = const_cast<char*>(s.data());
      lengths[i] = s.size();
      b.buffer_length = s.size();
      b.length = &lengths[i];
    }
  }
  return binds;
}

}  // namespace

// A packet bigger than max_allowed_packet makes the server close the
// connection (ER_NET_PACKET_TOO_LARGE, seen by the client as "server has
// gone away"): refused here, as the data error it is.
void Connection::check_size(const std::vector<Value>& params) {
  std::uint64_t size = 64;  // the command, statement id, flags, NULL bitmap
  for (const auto& p : params)
    size += 16 + (std::holds_alternative<std::string>(p) ? std::get<std::string>(p).size() : 8);
  if (size <= 1024) return;  // the smallest max_allowed_packet there is
  if (max_packet_ == 0) {
    MYSQL_RES* res = nullptr;
    if (mysql_query(db_, "SELECT @@max_allowed_packet") != 0 || !(res = mysql_store_result(db_)))
      fail("max_allowed_packet", mysql_errno(db_), mysql_error(db_));
    MYSQL_ROW row = mysql_fetch_row(res);
    max_packet_ = row && row[0] ? std::stoull(row[0]) : 1024;
    mysql_free_result(res);
  }
  if (size > max_packet_)
    throw DbError(Exit::dataerr,
                  "database: the values are too large: " + std::to_string(size) +
                      " bytes, more than the server's max_allowed_packet (" + std::to_string(max_packet_) + ")",
                  ER_NET_PACKET_TOO_LARGE);
}

// A statement is prepared and run in one round trip the first time
// (mariadb_stmt_execute_direct sends both at once), then kept and run by
// its id: a process per message runs most statements once.
MYSQL_STMT* Connection::execute_statement(const std::string& sql, const std::vector<Value>& params) {
  std::vector<unsigned long> lengths;
  std::vector<my_bool> nulls;
  auto binds = bind_params(params, lengths, nulls);
  if (auto it = statements_.find(sql); it != statements_.end()) {
    MYSQL_STMT* stmt = it->second;
    if (mysql_stmt_param_count(stmt) != params.size()) wrong_count(sql, mysql_stmt_param_count(stmt), params.size());
    if (!binds.empty() && mysql_stmt_bind_param(stmt, binds.data()) != 0)
      fail("bind", mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
    if (mysql_stmt_execute(stmt) != 0) fail("\"" + sql + "\"", mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
    return stmt;
  }
  MYSQL_STMT* stmt = mysql_stmt_init(db_);
  if (!stmt) fail("prepare", mysql_errno(db_), mysql_error(db_));
  unsigned int count = static_cast<unsigned int>(params.size());
  bool ok = mysql_stmt_attr_set(stmt, STMT_ATTR_PREBIND_PARAMS, &count) == 0 &&
            (binds.empty() || mysql_stmt_bind_param(stmt, binds.data()) == 0) &&
            mariadb_stmt_execute_direct(stmt, sql.data(), sql.size()) == 0;
  if (!ok) {
    unsigned code = mysql_stmt_errno(stmt);
    std::string message = mysql_stmt_error(stmt);
    mysql_stmt_close(stmt);
    if (code == CR_INVALID_PARAMETER_NO) {
      // Other markers than values (a --sql statement): prepared alone,
      // it says how many it has.
      stmt = mysql_stmt_init(db_);
      unsigned long markers = 0;
      if (stmt && mysql_stmt_prepare(stmt, sql.data(), sql.size()) == 0) markers = mysql_stmt_param_count(stmt);
      if (stmt) mysql_stmt_close(stmt);
      wrong_count(sql, markers, params.size());
    }
    fail("\"" + sql + "\"", code, message);
  }
  statements_.emplace(sql, stmt);
  return stmt;
}

void Connection::wrong_count(const std::string& sql, unsigned long markers, std::size_t values) const {
  throw Error(Exit::config, "database: \"" + sql + "\" has " + std::to_string(markers) + " parameters, given " +
                                std::to_string(values));
}

std::vector<Row> Connection::query(const std::string& sql, const std::vector<Value>& params) {
  check_size(params);
  MYSQL_STMT* stmt = execute_statement(sql, params);
  last_insert_id_ = mysql_stmt_insert_id(stmt);

  std::vector<Row> rows;
  unsigned columns = mysql_stmt_field_count(stmt);
  if (columns == 0) return rows;
  // Every column fetched as a string: first into a small buffer, then whole
  // with mysql_stmt_fetch_column when it did not fit.
  std::vector<MYSQL_BIND> out(columns);
  std::vector<unsigned long> out_lengths(columns);
  std::vector<my_bool> out_nulls(columns), out_errors(columns);
  std::vector<std::string> buffers(columns, std::string(256, '\0'));
  for (unsigned i = 0; i < columns; ++i) {
    std::memset(&out[i], 0, sizeof out[i]);
    out[i].buffer_type = MYSQL_TYPE_STRING;
    out[i].buffer = buffers[i].data();
    out[i].buffer_length = buffers[i].size();
    out[i].length = &out_lengths[i];
    out[i].is_null = &out_nulls[i];
    out[i].error = &out_errors[i];
  }
  if (mysql_stmt_bind_result(stmt, out.data()) != 0)
    fail("bind result", mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
  if (mysql_stmt_store_result(stmt) != 0) fail("\"" + sql + "\"", mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
  for (;;) {
    int rc = mysql_stmt_fetch(stmt);
    if (rc == MYSQL_NO_DATA) break;
    if (rc == 1) {
      unsigned code = mysql_stmt_errno(stmt);
      std::string message = mysql_stmt_error(stmt);
      mysql_stmt_free_result(stmt);
      fail("fetch", code, message);
    }
    Row row(columns);
    for (unsigned i = 0; i < columns; ++i) {
      if (out_nulls[i]) continue;
      std::string value(out_lengths[i], '\0');
      if (out_lengths[i] <= buffers[i].size()) {
        std::memcpy(value.data(), buffers[i].data(), out_lengths[i]);
      } else {
        MYSQL_BIND whole;
        std::memset(&whole, 0, sizeof whole);
        whole.buffer_type = MYSQL_TYPE_STRING;
        whole.buffer = value.data();
        whole.buffer_length = value.size();
        if (mysql_stmt_fetch_column(stmt, &whole, i, 0) != 0)
          fail("fetch", mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
      }
      row[i] = std::move(value);
    }
    rows.push_back(std::move(row));
  }
  mysql_stmt_free_result(stmt);
  return rows;
}

std::uint64_t Connection::execute(const std::string& sql, const std::vector<Value>& params) {
  query(sql, params);
  return mysql_stmt_affected_rows(statements_.at(sql));
}

void Connection::begin() {
  if (mysql_query(db_, "START TRANSACTION") != 0) fail("START TRANSACTION", mysql_errno(db_), mysql_error(db_));
}

void Connection::commit() {
  if (mysql_commit(db_) != 0) fail("COMMIT", mysql_errno(db_), mysql_error(db_));
}

void Connection::rollback() noexcept { mysql_rollback(db_); }

void Connection::savepoint(const std::string& name) {
  const std::string sql = "SAVEPOINT " + name;
  if (mysql_query(db_, sql.c_str()) != 0) fail(sql, mysql_errno(db_), mysql_error(db_));
}

void Connection::rollback_to(const std::string& name) {
  const std::string sql = "ROLLBACK TO SAVEPOINT " + name;
  if (mysql_query(db_, sql.c_str()) != 0) fail(sql, mysql_errno(db_), mysql_error(db_));
}

}  // namespace forumgate::forum
