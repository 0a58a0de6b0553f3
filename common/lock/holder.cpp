#include "lock/holder.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace forumgate::lock {

pid_t kernel_lock_holder(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return 0;

  // A POSIX lock's owner is told by F_GETLK directly.
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK && fl.l_pid > 0) return fl.l_pid;

  // flock(2) owners only show in /proc/locks, e.g.
  //   "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF"
  // Waiters are listed with "->" after the number; they hold nothing.
  char id[64];
  std::snprintf(id, sizeof id, "%02x:%02x:%llu", major(st.st_dev), minor(st.st_dev),
                static_cast<unsigned long long>(st.st_ino));
  std::ifstream locks("/proc/locks");
  std::string line;
  while (std::getline(locks, line)) {
    std::istringstream fields(line);
    std::string number, type, mode, access, pid, dev_ino;
    fields >> number >> type;
    if (type == "->") continue;
    fields >> mode >> access >> pid >> dev_ino;
    if (dev_ino == id) return static_cast<pid_t>(std::atol(pid.c_str()));
  }
  return 0;
}

std::string describe_pid(pid_t pid) {
  std::string text = "pid " + std::to_string(pid);
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  if (std::getline(comm, name) && !name.empty()) text += " (" + name + ")";
  return text;
}

}  // namespace forumgate::lock
