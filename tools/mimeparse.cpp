// mimeparse: parse MIME messages into post records, or show them to a
// human. See mimeparse(1).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/log.hpp"
#include "cli/program.hpp"
#include "mime/encoded_words.hpp"
#include "mime/message.hpp"
#include "mime/tree.hpp"
#include "post/builder.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"
#include "util/printable.hpp"

using namespace forumgate;

namespace {

struct Options {
  std::vector<std::string> files;
  bool tree = false;
  bool text = false;
  std::vector<std::string> headers;
  std::string extract;
  std::string attachments_dir;
  std::string recipient;
  std::string loop;
  bool pretty = false;
  bool no_trim = false;
};

// Writes an attachment into dir under its sanitized name, never replacing a
// file there: "name", then "name-2", ... Sanitized names hold no '/', so
// nothing lands outside dir.
std::string write_attachment(const std::string& dir, const std::string& name, std::string_view data) {
  std::string stem = name, ext;
  if (auto dot = name.rfind('.'); dot != std::string::npos && dot > 0) {
    stem = name.substr(0, dot);
    ext = name.substr(dot);
  }
  for (unsigned n = 1;; ++n) {
    std::string path = dir + "/" + (n == 1 ? name : stem + "-" + std::to_string(n) + ext);
    util::Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!fd.valid() && errno == EEXIST) continue;
    if (!fd.valid()) throw system_error(Exit::cantcreat, "cannot create " + path);
    if (!util::write_fully(fd.get(), data) || !fd.close()) {
      const int err = errno;
      ::unlink(path.c_str());
      throw system_error(Exit::ioerr, "cannot write " + path, err);
    }
    return path;
  }
}

post::Record build(const Options& o, const mime::Message& m, bool write_attachments) {
  post::BuildOptions bo;
  if (!o.recipient.empty()) bo.recipient = o.recipient;
  bo.loop_value = o.loop;
  bo.trim_reply = !o.no_trim;
  if (write_attachments && !o.attachments_dir.empty())
    bo.on_attachment = [&](const post::Attachment& a, std::string_view data) -> std::optional<std::string> {
      return write_attachment(o.attachments_dir, a.filename, data);
    };
  return post::build_record(m, bo);
}

std::string record_json(const Options& o, const post::Record& record) {
  if (!o.pretty) return post::dump_json(record) + "\n";
  // Message bytes are not always valid UTF-8 even after decoding: replace,
  // never fail.
  nlohmann::ordered_json j = record;
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string headers_text(const Options& o, const mime::Message& m) {
  std::string out;
  for (const auto& name : o.headers)
    for (const auto& field : m.root.headers)
      if (mime::iequals(field.name, name)) out += mime::decode_header_text(field.value) + "\n";
  return out;
}

std::string extract(const Options& o, const mime::Message& m, const std::string& file) {
  const mime::Part* part = mime::find_part(m.root, o.extract);
  if (!part) throw Error(Exit::usage, file + ": no part " + o.extract + " (see mimeparse --tree)");
  if (part->is_multipart()) return std::string(m.raw(*part));
  return mime::decode_body(m, *part);
}

// One message: what it was asked for, on standard output. With -v, every
// defect of its record: the structure's, and those found decoding it.
void one(const Options& o, const std::string& file) {
  mime::Message m = mime::parse_message(util::read_input(file));
  if (m.original_size == 0) throw Error(Exit::dataerr, file + ": empty, not a message");
  if (!m.has_header) throw Error(Exit::dataerr, file + ": not a message: no header fields");
  const bool as_record = !o.tree && !o.text && o.headers.empty() && o.extract.empty();
  std::optional<post::Record> record;
  if (as_record || log::enabled(log::Level::info)) record = build(o, m, as_record);
  for (const auto& defect : record ? record->defects : m.defects) log::info(file + ": " + defect);
  std::string out;
  if (o.tree) out = mime::render_tree(m);
  else if (o.text) out = post::body_text(m);
  else if (!o.headers.empty()) out = headers_text(o, m);
  else if (!o.extract.empty()) out = extract(o, m, file);
  else out = record_json(o, *record);
  if (o.text && !out.empty() && out.back() != '\n') out += '\n';
  // Text from the message, for a person when on a terminal (as ls(1) does):
  // shown, never obeyed. A pipe gets its bytes as they are.
  if ((o.text || !o.headers.empty()) && isatty(STDOUT_FILENO)) out = util::printable(out, util::Newlines::kept);
  util::write_all(STDOUT_FILENO, out, "standard output");
}

int run(Options& o) {
  if (o.files.empty()) o.files.push_back("-");
  if (o.tree + o.text + !o.headers.empty() + !o.extract.empty() > 1)
    throw Error(Exit::usage, "give one of --tree, --text, --header and --extract");
  if (!o.extract.empty() && o.files.size() > 1) throw Error(Exit::usage, "--extract takes one FILE");
  if (!o.attachments_dir.empty()) {
    struct stat st;
    if (::stat(o.attachments_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      throw Error(Exit::cantcreat, "--attachments " + o.attachments_dir + ": not a directory");
  }
  // As cat(1): every FILE is tried; the status tells the worst.
  int status = 0;
  for (const auto& file : o.files) {
    try {
      one(o, file);
    } catch (const Error& e) {
      if (e.status() == Exit::usage || e.status() == Exit::ioerr || e.status() == Exit::cantcreat) throw;
      log::error(e.what());
      status = std::max(status, forumgate::status(e.status()));
    }
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  cli::Program program("mimeparse", "Parse MIME messages into post records (JSON), or show their structure.");
  program.usage("[OPTIONS] [FILE...]");
  Options o;
  CLI::App& app = program.app();
  app.add_option("files", o.files, "A message file; - or none: standard input")->type_name("FILE");
  app.add_flag("-t,--tree", o.tree, "Print the MIME structure: part numbers, types, sizes, names, defects");
  app.add_flag("--text", o.text, "Print the body text as UTF-8 (HTML converted, quotes kept)");
  app.add_option("-H,--header", o.headers, "Print the decoded values of header NAME (repeatable)")
      ->type_name("NAME")
      ->allow_extra_args(false);
  app.add_option("-x,--extract", o.extract, "Write the decoded body of part PART to standard output")
      ->type_name("PART");
  app.add_option("-a,--attachments", o.attachments_dir,
                 "Write attachments into DIR (names sanitized, never replaced) and record their paths")
      ->type_name("DIR");
  app.add_option("-r,--recipient", o.recipient, "The envelope recipient, for the record")->type_name("ADDRESS");
  app.add_option("--loop", o.loop, "Our X-Loop value: a message carrying it is classified as a loop")
      ->type_name("VALUE");
  app.add_flag("--pretty", o.pretty, "Indent the JSON for reading");
  app.add_flag("--no-trim", o.no_trim, "Keep quoted text and signature in the record's text");
  app.footer(
      "Exit status: 0 a record for every FILE, 65 a FILE held no message, 66 a FILE\n"
      "could not be read, 64 usage, 73 DIR not writable. See mimeparse(1).");
  return program.run(argc, argv, [&] { return run(o); });
}
