#pragma once
// Who holds a lock, to say so when we cannot have it.

#include <sys/types.h>

#include <string>

namespace forumgate::lock {

// The pid holding a flock(2) or POSIX lock on the file open as fd, read from
// /proc/locks; 0 when unknown.
pid_t kernel_lock_holder(int fd);

// "pid 123 (procmail)", or "pid 123" when its name is not known here.
std::string describe_pid(pid_t pid);

}  // namespace forumgate::lock
