#include "forum/options.hpp"

#include <sys/stat.h>

#include "util/error.hpp"
#include "util/fd.hpp"

namespace forumgate::forum {

void add_forum_options(CLI::App& app, ForumOptions& o, const std::string& program) {
  app.add_option("--defaults-file", o.defaults_file,
                 "MySQL option file with the connection settings ([client] and [" + program + "])")
      ->type_name("FILE");
  app.add_option("--db-host", o.db_hosts,
                 "A database server to try, in order (repeatable: a cluster's nodes); default: the option file's")
      ->type_name("HOST[:PORT]")
      ->allow_extra_args(false);
  app.add_option("--site", o.site, "The W-Agora site: its table name and prefix")
      ->capture_default_str()
      ->type_name("NAME");
  app.add_option("--address", o.address, "Forum addresses, with {forum} where the name goes")
      ->capture_default_str()
      ->type_name("PATTERN");
  app.add_option("--web-message-id", o.web_message_id,
                 "The Message-ID of the forum's mails about web posts, with {forum} and {post}")
      ->type_name("PATTERN");
  app.add_option("--bounce", o.bounce,
                 "The envelope sender of the forum's mail (VERP: {local} and {domain} of the subscriber)")
      ->capture_default_str()
      ->type_name("PATTERN");
  app.add_option("--bounce-limit", o.bounce_limits.limit,
                 "Disable a subscription after N hard bounces, on as many days")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->type_name("N");
  app.add_option("--bounce-days", o.bounce_limits.days, "... within the last DAYS days")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->type_name("DAYS");
  app.add_option("--reply-key-file", o.reply_key_file,
                 "The secret (a 0600 file) of reply keys binding a reply to its post and subscriber")
      ->type_name("FILE");
  app.add_option("--loop", o.loop, "Our X-Loop value: set on our mail, a message with it is ignored")
      ->type_name("VALUE");
  app.add_option("--sql", o.sql, "Replace the named SQL statement (repeatable)")
      ->type_name("NAME=SQL")
      ->allow_extra_args(false);
}

std::pair<std::string, std::string> split_pair(const std::string& s, const std::string& what) {
  auto eq = s.find('=');
  if (eq == std::string::npos || eq == 0) throw Error(Exit::usage, what + " \"" + s + "\" is not NAME=VALUE");
  return {s.substr(0, eq), s.substr(eq + 1)};
}

ConnectOptions connect_options(const ForumOptions& o, const std::string& program) {
  ConnectOptions c;
  c.defaults_file = o.defaults_file;
  c.group = program;
  c.hosts = o.db_hosts;
  return c;
}

Profile make_profile(const ForumOptions& o) {
  Profile profile = Profile::wagora(o.site);
  for (const auto& s : o.sql) {
    auto [name, sql] = split_pair(s, "--sql");
    profile.override_statement(name, sql);
  }
  return profile;
}

void check_defaults_file(const std::string& path) {
  if (path.empty()) return;
  std::optional<std::string> data;
  try {
    data = util::read_file(path);
  } catch (const Error&) {
  }
  if (!data) throw system_error(Exit::config, "cannot read the option file " + path);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw system_error(Exit::config, "cannot stat " + path);
  const std::string mode = util::file_mode(st.st_mode);
  if (data->find("password") != std::string::npos && (st.st_mode & 0007))
    throw Error(Exit::config, path + " holds a password and everyone may read it (mode " + mode +
                                  "): chmod 600 (or 640 for the MTA's group)");
  // Whoever may change it may send the posts to a database of theirs (and
  // the client library ignores a world-writable option file anyway).
  if (st.st_mode & 0022)
    throw Error(Exit::config, path + " may be changed by others than its owner (mode " + mode + "): chmod 600");
}

}  // namespace forumgate::forum
