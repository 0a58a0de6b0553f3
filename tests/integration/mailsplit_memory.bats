#!/usr/bin/env bats
# mailsplit's memory is bounded by the largest message, not by the mbox:
# the peak RSS of reading a 20 MB and a 200 MB mbox with the same largest
# message is the same within 10%, and a 100 MB message is held once, also
# when delivered with the files written on a second thread.

load ../lib/common

setup() {
  common_setup
  # Under AddressSanitizer the peak is its quarantine's, not ours.
  if ldd "$FORUMGATE_BIN/mailsplit" | grep -q libasan; then skip "peak RSS is not ours under ASan"; fi
}
teardown() { common_teardown; }

# make_mbox FILE TOTAL_MB BIG_MB: one BIG_MB message, then small ones.
make_mbox() {
  python3 - "$@" <<'PY'
import sys
path, total, big = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
line = b"x" * 75 + b"\n"
with open(path, "wb") as f:
    f.write(b"From big@example.org Mon Nov 23 10:00:00 2026\nSubject: big\n\n")
    f.write(line * (big * 1024 * 1024 // 76) + b"\n")
    small = b"From s@example.org Mon Nov 23 10:00:00 2026\nSubject: small\n\n" + line * 200 + b"\n"
    f.write(small * ((total - big) * 1024 * 1024 // len(small)))
PY
}

# peak_kib ARGS...: the peak resident memory of mailsplit ARGS..., in KiB.
peak_kib() {
  python3 -c '
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' mailsplit "$@"
}

@test "peak memory does not grow with the size of the mbox" {
  make_mbox small.mbox 20 5
  make_mbox large.mbox 200 5
  small=$(peak_kib --count small.mbox)
  large=$(peak_kib --count large.mbox)
  echo "# peak RSS: 20 MB mbox ${small} KiB, 200 MB mbox ${large} KiB" >&3
  [ "$large" -le $((small * 110 / 100)) ] || fail "200 MB mbox: ${large} KiB, 20 MB: ${small} KiB"
  queue_peak=$(peak_kib large.mbox queue)
  echo "# delivering the 200 MB mbox into a queue: ${queue_peak} KiB" >&3
  [ "$queue_peak" -le $((small * 110 / 100)) ] || fail "queue: ${queue_peak} KiB"
}

@test "a 100 MB message is held in memory once" {
  make_mbox one.mbox 100 100
  peak=$(peak_kib --count one.mbox)
  echo "# peak RSS for a 100 MB message: ${peak} KiB" >&3
  [ "$peak" -lt $((100 * 1024 * 3 / 2)) ] || fail "${peak} KiB for a 100 MB message"
}

@test "delivering 100 MB, 2 MB, 100 MB messages holds a large one once" {
  # The reader's string keeps the first 100 MB message's pages; the 2 MB
  # message after it must not carry them to the writer thread while the
  # reader fills a new string with the next 100 MB (write_behind.hpp).
  python3 - three.mbox <<'PY'
import sys
line = b"x" * 75 + b"\n"
with open(sys.argv[1], "wb") as f:
    for i, mb in enumerate((100, 2, 100)):
        f.write(b"From big@example.org Mon Nov 23 10:00:00 2026\nSubject: %d\n\n" % i)
        f.write(line * (mb * 1024 * 1024 // 76) + b"\n")
PY
  queue_peak=$(peak_kib three.mbox queue)
  o_peak=$(peak_kib -o out three.mbox)
  echo "# peak RSS delivering them: into a queue ${queue_peak} KiB, with -o ${o_peak} KiB" >&3
  assert_equal "$(ls queue/new | wc -l)" 3
  assert_equal "$(ls out | wc -l)" 3
  [ "$queue_peak" -lt $((100 * 1024 * 3 / 2)) ] || fail "queue: ${queue_peak} KiB"
  [ "$o_peak" -lt $((100 * 1024 * 3 / 2)) ] || fail "-o: ${o_peak} KiB"
}
