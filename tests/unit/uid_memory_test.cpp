#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "spool/uid_memory.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using forumgate::lock::Deadline;
using forumgate::spool::UidMemory;
using forumgate::test::TempDir;

namespace {

const std::string identity = "pop3 alice@127.0.0.1:110";

void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// A queue whose record was left by a run cut while committing: UIDs 1 and
// 2 in the queue before it, 3 to 7 pending.
std::string cut_queue(const TempDir& t) {
  std::string q = t / "queue";
  for (const char* d : {"", "/tmp", "/new", "/cur"}) fs::create_directories(q + d);
  write(q + "/" + UidMemory::file_name(identity),
        "mailsplit-uids 1\nsource " + identity +
            "\nuidvalidity -\nuid 1\nuid 2\n"
            "pending 3 100.M1P9Q1.host\n"         // renamed into new/: in the queue
            "pending 4 100.M1P9Q2.host\n"         // read, in cur/ with its info: in the queue
            "pending 5 100.M1P9Q3.host\n"         // still in tmp/: not committed
            "pending 6 100.M1P9Q4.host\n"         // nowhere: read and deleted, or tmp/ cleaned
            "pending 7 ../new/100.M1P9Q1.host\n"  // no name of ours
            "pending 8 100.M1P9Q1.host\n"         // one UID, two messages (POP3 servers
            "pending 8 100.M1P9Q5.host\n");       // that break RFC 1939): one not in
  write(q + "/new/100.M1P9Q1.host", "three");
  write(q + "/cur/100.M1P9Q2.host:2,S", "four");
  write(q + "/tmp/100.M1P9Q3.host", "five");
  write(q + "/tmp/100.M1P9Q5.host", "eight");
  return q;
}

}  // namespace

TEST(UidMemory, PendingEntriesWhoseFilesReachedTheQueueCount) {
  TempDir t;
  std::string q = cut_queue(t);
  UidMemory memory(q, identity, Deadline::never());
  EXPECT_TRUE(memory.has("1"));
  EXPECT_TRUE(memory.has("2"));
  EXPECT_TRUE(memory.has("3"));
  EXPECT_TRUE(memory.has("4"));
}

TEST(UidMemory, PendingEntriesNotInTheQueueAreTakenAgainAndTheirTmpCopiesGo) {
  TempDir t;
  std::string q = cut_queue(t);
  UidMemory memory(q, identity, Deadline::never());
  EXPECT_FALSE(memory.has("5"));
  EXPECT_FALSE(fs::exists(q + "/tmp/100.M1P9Q3.host"));
  // A duplicate at worst: never counted in without its file.
  EXPECT_FALSE(memory.has("6"));
  EXPECT_FALSE(memory.has("7"));
  EXPECT_FALSE(memory.has("8"));
  EXPECT_FALSE(fs::exists(q + "/tmp/100.M1P9Q5.host"));
  EXPECT_TRUE(fs::exists(q + "/new/100.M1P9Q1.host"));
  EXPECT_TRUE(fs::exists(q + "/cur/100.M1P9Q2.host:2,S"));
}

TEST(UidMemory, SettledEntriesGoOnRecordAtOnce) {
  TempDir t;
  std::string q = cut_queue(t);
  { UidMemory memory(q, identity, Deadline::never()); }
  std::ifstream in(q + "/" + UidMemory::file_name(identity));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "mailsplit-uids 1\nsource " + identity + "\nuidvalidity -\nuid 1\nuid 2\nuid 3\nuid 4\n");
}

TEST(UidMemory, SaveRecordsPendingEntriesWithTheirNames) {
  TempDir t;
  std::string q = t / "queue";
  {
    UidMemory memory(q, identity, Deadline::never());
    memory.save({"1"}, {{"2", "100.M1P9Q5.host"}});
    EXPECT_TRUE(memory.has("1"));
    EXPECT_FALSE(memory.has("2"));  // not in the queue yet
  }
  std::ifstream in(q + "/" + UidMemory::file_name(identity));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "mailsplit-uids 1\nsource " + identity + "\nuidvalidity -\nuid 1\npending 2 100.M1P9Q5.host\n");
}
