#pragma once
// The options that describe a forum's database and its addresses, defined
// once for every program that needs them (forumpost, forumnotify): the
// same names, meanings, defaults and help, and so the same keys in each
// program's section of the config file.

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "forum/bounces.hpp"
#include "forum/db.hpp"
#include "forum/profile.hpp"

namespace forumgate::forum {

struct ForumOptions {
  std::string defaults_file;
  std::vector<std::string> db_hosts;  // --db-host, in order
  std::string site = "agora";
  std::string address = "{forum}@";
  std::string web_message_id;
  std::string bounce = "{forum}-bounces+{local}={domain}@";
  std::string reply_key_file;
  BounceLimits bounce_limits;
  std::string loop;
  std::vector<std::string> sql;
};

// --defaults-file, --db-host, --site, --address, --web-message-id, --bounce,
// --bounce-limit, --bounce-days, --reply-key-file, --loop, --sql; program
// names the option file's group.
void add_forum_options(CLI::App& app, ForumOptions& options, const std::string& program);

// How to connect: the option file, group program, the --db-host list.
ConnectOptions connect_options(const ForumOptions& options, const std::string& program);

// The W-Agora profile of options.site, with the --sql replacements.
Profile make_profile(const ForumOptions& options);

// An option file with a password must not be readable by everyone (0600,
// or 0640 for a group the MTA's pipe runs in), nor changeable by others
// than its owner: Error(78) saying why. "" passes.
void check_defaults_file(const std::string& path);

// "NAME=VALUE" split; Error(64) naming what otherwise.
std::pair<std::string, std::string> split_pair(const std::string& s, const std::string& what);

}  // namespace forumgate::forum
