#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "cli/program.hpp"
#include "temp_dir.hpp"
#include "util/error.hpp"

using namespace forumgate;

namespace {

// Runs a program named "lockrun" with one option --wait on the given words.
struct Outcome {
  int status = -1;
  double wait = 0;
};

Outcome run(
    std::vector<std::string> words, const std::function<int()>& body = [] { return 0; }) {
  cli::Program program("lockrun", "test");
  Outcome r;
  program.app().add_option("-w,--wait", r.wait);
  words.insert(words.begin(), "lockrun");
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  r.status = program.run(static_cast<int>(argv.size()), argv.data(), body);
  return r;
}

}  // namespace

TEST(Program, ReadsItsOwnSectionOfTheConfigFile) {
  test::TempDir dir;
  std::ofstream(dir / "forumgate.conf")
      << "wait = 1\n[mailsplit]\nwait = 9\n[lockrun]\nverbose = true\nwait = 7\n[other]\nwait = 8\n";
  Outcome r = run({"--config", dir / "forumgate.conf"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.wait, 7) << "the second key of the section counts too";
  EXPECT_EQ(run({"--config", dir / "forumgate.conf", "-w", "3"}).wait, 3) << "argv wins";
}

TEST(Program, DefaultConfigComesFromTheEnvironment) {
  test::TempDir dir;
  std::ofstream(dir / "forumgate.conf") << "[lockrun]\nwait = 5\n";
  setenv("FORUMGATE_CONFIG", (dir / "forumgate.conf").c_str(), 1);
  EXPECT_EQ(run({}).wait, 5);
  setenv("FORUMGATE_CONFIG", (dir / "absent.conf").c_str(), 1);
  EXPECT_EQ(run({}).status, 0) << "a missing default config is no error";
  unsetenv("FORUMGATE_CONFIG");
}

TEST(Program, MapsFailuresToSysexits) {
  test::TempDir dir;
  EXPECT_EQ(run({"--no-such-option"}).status, 64);
  EXPECT_EQ(run({"-v", "-q"}).status, 64) << "-v and -q exclude each other";
  EXPECT_EQ(run({"--config", dir / "absent.conf"}).status, 78);
  EXPECT_EQ(run({"--version"}).status, 0);
  EXPECT_EQ(run({}, []() -> int { throw Error(Exit::noinput, "no mailbox"); }).status, 66);
  EXPECT_EQ(run({}, []() -> int { throw std::logic_error("bug"); }).status, 70);
  EXPECT_EQ(run({}, [] { return 75; }).status, 75);
}
