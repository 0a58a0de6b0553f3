#pragma once
// MariaDB/MySQL through libmariadb's C API: prepared statements only, with
// bound parameters; connection settings from MySQL option files (groups
// [client] and [forumpost]), never from the command line.
//
// Errors are Error values whose status says what an MTA should do: 75
// (temporary: the server is down or gone, a deadlock, a lock wait timeout,
// too many connections) or 78 (configuration: access denied, unknown
// database) or 65 (a statement whose values are bigger than the server's
// max_allowed_packet: the server would drop the connection, which looks
// temporary but fails the same way every time) or 70 (anything else).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "util/error.hpp"

struct st_mysql;
struct st_mysql_stmt;

namespace forumgate::forum {

using Value = std::variant<std::nullptr_t, std::int64_t, std::string>;
using Row = std::vector<std::optional<std::string>>;

// A column's integer (0 for NULL).
std::int64_t to_int(const std::optional<std::string>& column);

class DbError : public Error {
 public:
  DbError(Exit status, const std::string& message, unsigned code) : Error(status, message), code_(code) {}
  unsigned code() const { return code_; }
  bool temporary() const { return status() == Exit::tempfail; }

 private:
  unsigned code_;
};

struct ConnectOptions {
  std::string defaults_file;        // "" for the client's default option files
  std::string group = "forumpost";  // read besides [client]
  unsigned timeout_seconds = 10;    // connect, read and write
  // The servers to try, in order, "HOST[:PORT]" (a cluster's nodes): the
  // first that answers and, if it is a Galera node, is ready. Empty: the
  // option files' host, port or socket.
  std::vector<std::string> hosts;
};

class Connection {
 public:
  explicit Connection(const ConnectOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs a prepared statement (prepared once per connection and kept) with
  // params bound to its ? markers, in order; returns the rows as strings
  // (NULL as nullopt).
  std::vector<Row> query(const std::string& sql, const std::vector<Value>& params = {});
  // The same for a statement without a result: the affected rows.
  std::uint64_t execute(const std::string& sql, const std::vector<Value>& params = {});
  // AUTO_INCREMENT value of the last INSERT.
  std::uint64_t last_insert_id() const { return last_insert_id_; }

  void begin();
  void commit();
  void rollback() noexcept;
  // Within a transaction: mark a point, and undo what followed it.
  void savepoint(const std::string& name);
  void rollback_to(const std::string& name);

  std::string server_info() const;
  // The server's max_allowed_packet, when a caller has asked for it along
  // with something else: no query of its own then.
  void know_max_packet(std::uint64_t bytes) { max_packet_ = bytes; }

 private:
  void connect(const ConnectOptions& options, const char* host, unsigned port);
  void disconnect();
  st_mysql_stmt* execute_statement(const std::string& sql, const std::vector<Value>& params);
  [[noreturn]] void wrong_count(const std::string& sql, unsigned long markers, std::size_t values) const;
  void check_size(const std::vector<Value>& params);
  [[noreturn]] void fail(const std::string& what, unsigned code, const std::string& message) const;

  st_mysql* db_ = nullptr;
  std::map<std::string, st_mysql_stmt*> statements_;
  std::uint64_t last_insert_id_ = 0;
  std::uint64_t max_packet_ = 0;  // the server's max_allowed_packet, read when first needed
};

// The status an error number stands for (see the header comment).
Exit status_of_error(unsigned code);

// A conflict with another writer, after which the transaction is rolled
// back and may succeed at once if made again: a deadlock, a lock wait
// timed out, a Galera cluster's certification failure (1213 too), or a
// node not ready yet (1047). e's code, or 0 when it is no DbError.
unsigned db_code(const std::exception& e);
bool is_conflict(const std::exception& e);

}  // namespace forumgate::forum
