// process_queue's read-ahead: messages prepared on a thread of their own
// reach the handler in queue order, on the calling thread, and what
// prepare throws, a message taken meanwhile, a cancel and a replay end as
// they do without it.

#include "forum/queue.hpp"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "temp_dir.hpp"
#include "util/error.hpp"

using namespace forumgate;
namespace fs = std::filesystem;

namespace {

using Ahead = std::vector<forum::PreparedPtr>;

// A private queue of n messages, "1" to "n", in delivery order.
std::string make_queue(const test::TempDir& dir, int n) {
  std::string q = dir / "q";
  for (const char* sub : {"", "/new", "/cur", "/tmp"}) fs::create_directory(q + sub);
  ::chmod(q.c_str(), 0700);
  for (int i = 1; i <= n; ++i)
    std::ofstream(q + "/new/" + std::to_string(1700000000 + i) + ".M1P1Q" + std::to_string(i) + ".test") << i;
  return q;
}

std::size_t in(const std::string& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

forum::Result posted() {
  forum::Result r;
  r.outcome = forum::Outcome::posted;
  return r;
}

// Where the tests' prepare made a message, by its text.
struct Made {
  std::thread::id thread;
  bool sigint_blocked = false;
};
std::mutex made_mutex;
std::map<std::string, Made> made;

Made made_where(const std::string& data) {
  std::lock_guard lock(made_mutex);
  return made.at(data);
}

// What the tests' prepare makes of a message: a record with its text.
forum::PreparedPtr make(const std::string& data) {
  sigset_t mask;
  pthread_sigmask(SIG_SETMASK, nullptr, &mask);
  {
    std::lock_guard lock(made_mutex);
    made[data] = Made{std::this_thread::get_id(), sigismember(&mask, SIGINT) == 1};
  }
  auto prepared = std::make_shared<forum::PreparedMessage>();
  prepared->record.text = data;
  return prepared;
}

}  // namespace

TEST(QueueReadAhead, PreparedOnAnotherThreadHandledInOrderHere) {
  test::TempDir dir;
  std::string q = make_queue(dir, 40);
  forum::QueueOptions o;
  o.prepare = make;
  o.read_ahead = 4;
  std::vector<std::string> seen;
  auto report =
      forum::process_queue(q, o, [&](const std::string&, const std::string& data, forum::Prepared p, const Ahead&) {
        forum::PreparedPtr m = p.get();
        EXPECT_EQ(m ? m->record.text : "(none)", data);
        Made where = made_where(data);
        EXPECT_NE(where.thread, std::this_thread::get_id());
        EXPECT_TRUE(where.sigint_blocked) << "signals must reach the main thread";
        seen.push_back(data);
        return posted();
      });
  ASSERT_EQ(seen.size(), 40u);
  for (int i = 1; i <= 40; ++i) EXPECT_EQ(seen[static_cast<std::size_t>(i - 1)], std::to_string(i));
  EXPECT_EQ(report.taken, 40u);
  EXPECT_EQ(report.posted, 40u);
  EXPECT_EQ(in(q + "/cur"), 40u);
}

TEST(QueueReadAhead, WhatPrepareThrowsIsThrownWhereItsMessageIsHandled) {
  test::TempDir dir;
  std::string q = make_queue(dir, 10);
  forum::QueueOptions o;
  o.prepare = [](const std::string& data) -> forum::PreparedPtr {
    if (data == "4") throw Error(Exit::software, "cannot parse 4");
    return make(data);
  };
  std::vector<std::string> seen;
  try {
    forum::process_queue(q, o, [&](const std::string&, const std::string& data, forum::Prepared p, const Ahead&) {
      seen.push_back(data);
      p.get();
      return posted();
    });
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot parse 4");
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"1", "2", "3", "4"}));
  EXPECT_EQ(in(q + "/cur"), 3u);
  EXPECT_EQ(in(q + "/new"), 7u);
}

TEST(QueueReadAhead, AMessageTakenAfterItWasReadAheadIsSkipped) {
  test::TempDir dir;
  std::string q = make_queue(dir, 3);
  std::vector<std::string> paths;
  for (const auto& e : fs::directory_iterator(q + "/new")) paths.push_back(e.path().string());
  std::sort(paths.begin(), paths.end());
  std::atomic<int> prepared{0};
  forum::QueueOptions o;
  o.prepare = [&](const std::string& data) {
    ++prepared;
    return make(data);
  };
  std::vector<std::string> seen;
  auto report =
      forum::process_queue(q, o, [&](const std::string&, const std::string& data, forum::Prepared, const Ahead&) {
        if (data == "1") {
          // A concurrent run takes message 2 once it is read ahead.
          while (prepared < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
          fs::rename(paths[1], q + "/cur/" + fs::path(paths[1]).filename().string() + ":2,S");
        }
        seen.push_back(data);
        return posted();
      });
  EXPECT_EQ(seen, (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(report.taken, 2u);
  EXPECT_EQ(report.posted, 2u);
}

TEST(QueueReadAhead, ACancelStopsBetweenMessagesAndTheThreadIsJoined) {
  test::TempDir dir;
  std::string q = make_queue(dir, 30);
  volatile int cancel = 0;
  forum::QueueOptions o;
  o.prepare = make;
  o.cancel = &cancel;
  std::size_t handled = 0;
  auto report = forum::process_queue(q, o, [&](const std::string&, const std::string&, forum::Prepared, const Ahead&) {
    if (++handled == 5) cancel = 1;
    return posted();
  });
  EXPECT_TRUE(report.stopped);
  EXPECT_EQ(report.taken, 5u);
  EXPECT_EQ(in(q + "/new"), 25u);
}

TEST(QueueReadAhead, AHandlerThatThrowsLeavesNoThreadBehind) {
  test::TempDir dir;
  std::string q = make_queue(dir, 30);
  forum::QueueOptions o;
  o.prepare = make;
  EXPECT_THROW(forum::process_queue(
                   q, o,
                   [&](const std::string&, const std::string& data, forum::Prepared, const Ahead&) -> forum::Result {
                     if (data == "2") throw std::runtime_error("handler");
                     return posted();
                   }),
               std::runtime_error);
  EXPECT_EQ(in(q + "/new"), 29u);
}

TEST(QueueReadAhead, AReplayHandsTheGroupInAgainUnprepared) {
  test::TempDir dir;
  std::string q = make_queue(dir, 6);
  forum::QueueOptions o;
  o.prepare = make;
  o.commit = [] {};
  o.group_size = 100;
  bool replayed = false;
  std::vector<std::string> seen;
  auto report =
      forum::process_queue(q, o, [&](const std::string&, const std::string& data, forum::Prepared p, const Ahead&) {
        seen.push_back(data + (p.empty() ? "-" : "+"));
        if (data == "3" && !replayed) {
          replayed = true;
          forum::Result r;
          r.outcome = forum::Outcome::deferred;
          r.status = Exit::tempfail;
          r.replay = true;
          return r;
        }
        return posted();
      });
  EXPECT_EQ(seen, (std::vector<std::string>{"1+", "2+", "3+", "1-", "2-", "3-", "4+", "5+", "6+"}));
  EXPECT_EQ(report.posted, 6u);
  EXPECT_EQ(in(q + "/cur"), 6u);
}

TEST(QueueReadAhead, NoPrepareNoThread) {
  test::TempDir dir;
  std::string q = make_queue(dir, 3);
  std::vector<std::string> seen;
  forum::process_queue(q, {}, [&](const std::string&, const std::string& data, forum::Prepared p, const Ahead&) {
    EXPECT_TRUE(p.empty());
    seen.push_back(data);
    return posted();
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"1", "2", "3"}));
}

TEST(QueueReadAhead, WhatMayBlockIsNotReadAheadSoACancelBeforeItEndsTheRun) {
  test::TempDir dir;
  std::string q = make_queue(dir, 3);
  // A FIFO in new/: opening it blocks until somebody writes. The run is
  // cancelled before its turn, so nothing may wait for it.
  std::string fifo = q + "/new/1700000009.M1P1Q9.test";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  volatile int cancel = 0;
  forum::QueueOptions o;
  o.prepare = make;
  o.cancel = &cancel;
  auto report =
      forum::process_queue(q, o, [&](const std::string&, const std::string& data, forum::Prepared, const Ahead&) {
        if (data == "3") cancel = 1;
        return posted();
      });
  EXPECT_TRUE(report.stopped);
  EXPECT_EQ(report.taken, 3u);
}

TEST(QueueReadAhead, AFileThatCouldNotBeReadAheadIsReadAgainAtItsTurn) {
  test::TempDir dir;
  std::string q = make_queue(dir, 3);
  // Unreadable when the thread comes (as root too: a directory), a
  // message when its turn comes.
  std::string second = q + "/new/1700000002.M1P1Q2.test";
  fs::remove(second);
  fs::create_directory(second);
  forum::QueueOptions o;
  o.prepare = make;
  std::vector<std::string> seen;
  auto report =
      forum::process_queue(q, o, [&](const std::string&, const std::string& data, forum::Prepared, const Ahead&) {
        if (data == "1") {
          fs::remove(second);
          std::ofstream(second) << "2 again";
        }
        seen.push_back(data);
        return posted();
      });
  EXPECT_EQ(seen, (std::vector<std::string>{"1", "2 again", "3"}));
  EXPECT_EQ(report.posted, 3u);
}
