#include "spool/remote_source.hpp"

#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli/log.hpp"
#include "spool/imap_source.hpp"
#include "spool/pop3_source.hpp"
#include "spool/uid_memory.hpp"
#include "util/error.hpp"

namespace forumgate::spool {
namespace {

std::unique_ptr<RemoteMailbox> open_mailbox(const std::string& source, const RemoteUrl& url) {
  if (url.protocol == RemoteProtocol::pop3) return open_pop3(source, url);
  return open_imap(source, url);
}

}  // namespace

SplitReport split_remote(const SplitRequest& rq, MessageSink& sink) {
  if (rq.drain && !sink.durable()) {
    throw Error(Exit::usage, "--drain needs a durable destination: a queue Maildir, -o DIR, or --stdout into a file");
  }
  RemoteUrl url = parse_remote_url(rq.source);
  // The record's lock first: waiting for it must not keep a session idle.
  std::optional<UidMemory> memory;
  if (!sink.queue_path().empty()) {
    auto deadline = lock::Deadline::after_seconds(rq.lock_wait_seconds);
    deadline.cancelled_by(rq.cancel);
    try {
      memory.emplace(sink.queue_path(), url.identity(), deadline);
    } catch (const Error&) {
      if (rq.cancel && *rq.cancel) throw Interrupted();
      throw;
    }
  }
  SplitReport report;
  std::unique_ptr<RemoteMailbox> box = open_mailbox(rq.source, url);
  std::vector<RemoteMessage> to_remove;
  std::set<std::string> in_queue;  // the UIDs listed now whose messages are in the queue
  // Write-ahead for each batch the queue commits: its UIDs on record as
  // pending, with their files' names, before the files reach new/; as in
  // the queue once they are there. The UIDs on record when the run began
  // stay on record until its end, when those the server no longer lists
  // are dropped.
  std::set<std::string> known;  // on record when the run began: in the queue
  std::set<std::string> on_record;
  // The hooks see this run's state: gone with it, whatever way it ends.
  struct Unhook {
    MessageSink& sink;
    ~Unhook() { sink.on_commit({}); }
  } unhook{sink};
  if (memory) {
    MessageSink::CommitHooks hooks;
    hooks.before = [&](const std::vector<Batched>& batch) {
      std::multimap<std::string, std::string> pending;
      for (const auto& message : batch) pending.emplace(message.key, message.name);
      memory->save(on_record, pending);
    };
    hooks.after = [&](const std::vector<Batched>& batch) {
      for (const auto& message : batch) on_record.insert(message.key);
      memory->save(on_record);
    };
    sink.on_commit(std::move(hooks));
  }
  try {
    std::string validity = box->validity();  // IMAP: opens the mailbox read-only
    if (memory) {
      memory->set_validity(validity);
      // Asked of this, not of the record, which the commits change: a UID
      // that two messages share (POP3 servers that break RFC 1939's rule)
      // must not make the second one look taken.
      known = memory->uids();
      on_record = known;
    }
    for (const RemoteMessage& m : box->list()) {
      if (rq.cancel && *rq.cancel) throw Interrupted();  // nothing deleted yet
      if (known.count(m.uid)) {
        in_queue.insert(m.uid);
        to_remove.push_back(m);
        ++report.known;
        if (rq.on_message) rq.on_message(0, 0, "already in the queue <- message " + m.number + " (" + m.uid + ")");
        continue;
      }
      std::string data = crlf_to_lf(box->fetch(m));
      const std::string from_line = make_from_line(data, time(nullptr));
      const size_t size = data.size();
      OutgoingMessage out{from_line, "", data};
      out.key = m.uid;
      out.owner = &data;
      Placement placed = sink.add(out);
      if (placed.taken) {
        to_remove.push_back(m);
        in_queue.insert(m.uid);
      }
      ++(placed.taken ? report.taken : report.kept);
      report.bytes += size;
      if (rq.on_message) rq.on_message(0, size, placed.where + " <- message " + m.number + " (" + m.uid + ")");
    }
    sink.commit(rq.drain);
  } catch (...) {
    sink.rollback();
    throw;  // nothing was deleted; ~RemoteMailbox ends the session
  }
  // Write-ahead: what is in the queue is on record before any deletion.
  if (memory) memory->save(in_queue);
  if (!rq.drain) return report;  // ~RemoteMailbox ends the session
  try {
    box->remove(to_remove);
  } catch (const Error& e) {
    throw Error(e.status(), std::string(e.what()) +
                                (memory ? " (the messages taken are in the queue, and on record in " + memory->path() +
                                              ": the next run deletes them without taking them again)"
                                        : " (the messages taken are in the queue; those still on the server will be "
                                          "taken again)"));
  }
  // The server confirmed: those UIDs name nothing any more.
  if (memory) {
    for (const RemoteMessage& m : to_remove) in_queue.erase(m.uid);
    memory->save(std::move(in_queue));
  }
  report.drained = true;
  return report;
}

}  // namespace forumgate::spool
