#!/usr/bin/env bats
# mailsplit(1): taking messages out of a spool, safely.

load ../lib/common
load ../lib/faults

setup() {
  common_setup
  # Two messages as Postfix local(8) writes them (mboxo): the first body has a
  # line starting with "From " (quoted by the writer) and no Return-Path.
  printf '%s\n' \
    'From alice@example.org  Mon Nov 23 10:00:00 2026' \
    'From: Alice <alice@example.org>' \
    'Subject: first' \
    '' \
    '>From here on, all is well.' \
    '' \
    'From bob@example.org  Mon Nov 23 10:01:00 2026' \
    'Return-Path: <bob@example.org>' \
    'From: bob@example.org' \
    'Subject: second' \
    '' \
    'Two.' \
    '' > box
  # What each message must be, written by hand.
  printf '%s\n' 'Return-Path: <alice@example.org>' 'From: Alice <alice@example.org>' \
    'Subject: first' '' 'From here on, all is well.' > expected1
  printf '%s\n' 'Return-Path: <bob@example.org>' 'From: bob@example.org' \
    'Subject: second' '' 'Two.' > expected2
}
teardown() { common_teardown; }

# The files of a queue Maildir's new/, in delivery order.
queued() { ls -1 "$1"/new | sort | sed "s|^|$1/new/|"; }

@test "delivers each message into the queue Maildir, byte for byte" {
  run mailsplit box queue
  assert_success
  # One line for cron's mail; none with -q.
  assert_output "mailsplit: box: 2 taken"
  run queued queue
  assert_equal "${#lines[@]}" 2
  cmp "${lines[0]}" expected1
  cmp "${lines[1]}" expected2
  assert_equal "$(stat -c %a queue)" 700
  run ls -A queue/tmp
  assert_output ""
  assert_file_exists box
  assert_equal "$(grep -c '^From ' box)" 2
}

@test "--count counts and writes nothing; -v tells offsets and sizes" {
  run mailsplit --count box
  assert_success
  assert_output 2
  run mailsplit -v box queue
  # 49 + 32 + 15 + 1 + 28 + 1 bytes, then 47 + 31 + 22 + 16 + 1 + 5 + 1 (wc -c: 249)
  assert_line --index 0 --regexp '^mailsplit: offset 0, 126 bytes -> tmp/'
  assert_line --index 1 --regexp '^mailsplit: offset 126, 123 bytes -> tmp/'
  assert_line --index 2 "mailsplit: box: 2 taken (249 bytes)"
  run mailsplit -q box queue2
  assert_success
  assert_output ""
  # Nothing taken: nothing to say.
  : > empty
  run mailsplit empty queue3
  assert_success
  assert_output ""
}

@test "--keep-flags: Status:/X-Status: become maildir(5) flags in cur/; by default all is new" {
  # As mutt leaves an mbox: new, seen (O), read and answered and flagged,
  # read and deleted and draft (X-Status D, T), and a header folded.
  printf '%s\n' \
    'From a@example.org Mon Nov 23 10:00:00 2026' 'Subject: new' '' 'one' '' \
    'From b@example.org Mon Nov 23 10:01:00 2026' 'Subject: seen' 'Status: O' '' 'two' '' \
    'From c@example.org Mon Nov 23 10:02:00 2026' 'Status: RO' 'Subject: replied' 'X-Status: AF' '' \
    'Status: in the body stays' '' \
    'From d@example.org Mon Nov 23 10:03:00 2026' 'X-Status: TD' 'Subject: draft' 'Status: R' \
    ' O' '' 'four' '' > flagged
  # Default: a queue for forumpost; every message into new/, untouched.
  run mailsplit flagged queue
  assert_success
  assert_equal "$(ls queue/new | wc -l)" 4
  assert_equal "$(ls queue/cur | wc -l)" 0
  assert_equal "$(cat queue/new/* | grep -c Status:)" 6
  run mailsplit --keep-flags flagged reader
  assert_success
  # Flags written by hand from the mapping (R->S; A->R F->F D->T T->D; sorted).
  run queued reader
  assert_equal "${#lines[@]}" 1
  cmp "${lines[0]}" <(printf 'Return-Path: <a@example.org>\nSubject: new\n\none\n')
  run bash -c 'cd reader/cur && ls | sort | sed "s/^.*:2,/:2,/"'
  assert_output "$(printf ':2,\n:2,FRS\n:2,DST')"
  cmp reader/cur/*:2, <(printf 'Return-Path: <b@example.org>\nSubject: seen\n\ntwo\n')
  cmp reader/cur/*:2,FRS <(printf 'Return-Path: <c@example.org>\nSubject: replied\n\nStatus: in the body stays\n')
  cmp reader/cur/*:2,DST <(printf 'Return-Path: <d@example.org>\nSubject: draft\n\nfour\n')
  # The ,S= size in each name is the size of what was written.
  local f
  for f in reader/new/* reader/cur/*; do
    [[ $f == *",S=$(stat -c %s "$f")"* ]] || fail "$f: size in name is not the file's"
  done
  run ls -A reader/tmp
  assert_output ""
}

@test "--drain --keep-flags: written, synced, renamed into cur/ and new/, both synced, then truncated" {
  command -v strace >/dev/null || fail "strace is not installed (scripts/deps test)"
  printf 'From a@b Mon Nov 23 10:00:00 2026\nStatus: RO\n\nx\n\nFrom a@b Mon Nov 23 10:00:00 2026\n\ny\n\n' > two
  # LeakSanitizer cannot work under ptrace: off for this run of the ASan build.
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    run strace -y -o trace -e trace=syncfs,fsync,rename,ftruncate mailsplit --drain --keep-flags two reader
  assert_success
  # One line per step, with the paths strace -y names.
  run sed -E -e '/^\+\+\+/d' -e "s|$T/||g" -e 's/^(syncfs|fsync|ftruncate)\([0-9]+<([^>]*)>.*/\1 \2/' \
    -e 's#^rename\("reader/tmp/[^"]*", "reader/(cur|new)/[^":]*(:2,[A-Z]*)?"\).*#rename \1\2#' trace
  assert_output "$(printf '%s\n' 'syncfs reader/tmp' 'rename cur:2,S' 'rename new' 'fsync reader/new' \
    'fsync reader/cur' 'ftruncate two' 'fsync two')"
}

@test "--keep-flags: a Maildir source's cur/ keeps its flags; needs a queue" {
  mkdir -p md/new md/cur md/tmp
  cp expected1 md/new/1795430400.M1P1Q1.host
  cp expected2 "md/cur/1795430401.M1P1Q2.host:2,RS"
  cp expected2 md/cur/1795430402.M1P1Q3.host
  run mailsplit --keep-flags md reader
  assert_success
  assert_equal "$(ls reader/new | wc -l)" 1
  run bash -c 'cd reader/cur && ls | sort | sed "s/^.*:2,/:2,/"'
  assert_output "$(printf ':2,RS\n:2,')"
  run mailsplit md plain
  assert_equal "$(ls plain/new | wc -l)" 3
  for opt in "-o out" --stdout --count "--exec cat"; do
    run mailsplit --keep-flags $opt box
    assert_equal "$status" 64
    assert_output --partial "--keep-flags needs a Maildir"
  done
}

@test "a progress bar on a terminal for a large source, cleared at the end; none on a pipe, with -q or -v" {
  command -v script >/dev/null || fail "script(1) is not installed (util-linux)"
  # 1,500 messages: large by count, though only 0.1 MB.
  awk 'BEGIN { for (i = 0; i < 1500; i++) printf "From a@b Mon Nov 23 10:00:00 2026\nSubject: %d\n\nbody\n\n", i }' > many
  # script(1) runs mailsplit on a pseudo-terminal and copies what it writes.
  run script -qec "mailsplit many q1" /dev/null < /dev/null
  assert_success
  assert_equal "$(ls q1/new | wc -l)" 1500
  assert_output --regexp $'^\rmailsplit: +[0-9]+% \[#* *\] 0\.1 of 0\.1 MB, [0-9]+ messages\e\[K'
  [[ $output == *$'\r\e[Kmailsplit: many: 1500 taken'* ]] ||
    fail "the bar is not cleared before the summary: $(printf %q "$output")"
  run script -qec "mailsplit -q many q2" /dev/null < /dev/null
  assert_success
  assert_output ""
  run script -qec "mailsplit -v many q3" /dev/null < /dev/null
  refute_output --partial "%"
  assert_line --regexp "^mailsplit: offset 0, 52 bytes -> tmp/"
  run script -qec "mailsplit box q4" /dev/null < /dev/null
  assert_output $'mailsplit: box: 2 taken\r'
  run bash -c 'mailsplit many q5 2>&1 | cat'
  assert_success
  assert_output "mailsplit: many: 1500 taken"
}

@test "-o DIR writes numbered files like git mailsplit; -d and -f set width and start" {
  run mailsplit -o out box
  assert_success
  cmp out/0001 expected1
  cmp out/0002 expected2
  run mailsplit -o out2 -d 2 -f 7 box
  assert_success
  run ls out2
  assert_output "$(printf '07\n08')"
}

@test "-o never overwrites: a second drain into the same DIR is refused before taking anything" {
  run mailsplit --drain -o out box
  assert_success
  printf 'From c@example.org Mon Nov 23 11:00:00 2026\nSubject: third\n\nThree.\n\n' > box
  cp box before
  run mailsplit --drain -o out box
  assert_equal "$status" 73
  assert_output --partial "out/0001 exists already"
  cmp out/0001 expected1
  cmp out/0002 expected2
  cmp box before
  run mailsplit --drain -o out -f 3 box
  assert_success
  assert_file_exists out/0003
}

@test "--stdout writes mboxrd that reads back to the same messages" {
  printf 'From x@example.org Mon Nov 23 10:02:00 2026\nSubject: q\n\n>From one\n>>From two\nFrom: not a header\n\n' >> box
  mailsplit box direct
  run mailsplit --stdout box
  assert_success
  # The source is mboxo: ">From one" was "From one", ">>From two" was itself.
  assert_line ">From one"
  assert_line ">>>From two"
  assert_line "From: not a header"
  mailsplit --stdout box > stream
  mailsplit -F mboxrd stream roundtrip
  diff <(cat $(queued direct)) <(cat $(queued roundtrip))
}

@test "--drain empties the mbox only after the copies are in new/" {
  run mailsplit --drain box queue
  assert_success
  assert_equal "$(stat -c %s box)" 0
  run queued queue
  assert_equal "${#lines[@]}" 2
  cmp "${lines[1]}" expected2
  assert_file_not_exists box.lock
  run mailsplit --drain box queue
  assert_success
  assert_equal "$(ls queue/new | wc -l)" 2
}

@test "--drain waits for the MTA's locks, and gives up with 75 leaving the mbox as it was" {
  bg lockrun --mailbox box -- sh -c 'touch held; sleep 30'
  wait_for_file held
  cp box before
  run mailsplit --drain -w 0.3 box queue
  assert_equal "$status" 75
  assert_output --partial "box is locked"
  assert_output --partial "try again later"
  cmp box before
  assert_file_not_exists queue
}

@test "--drain of a Maildir unlinks the messages taken; dot files stay" {
  mkdir -p md/new md/cur md/tmp
  cp expected1 md/new/1795430400.M1P1Q1.host
  cp expected2 "md/cur/1795430401.M1P1Q2.host:2,S"
  touch md/new/.keep
  run mailsplit --drain md queue
  assert_success
  run queued queue
  assert_equal "${#lines[@]}" 2
  cmp "${lines[0]}" expected1
  cmp "${lines[1]}" expected2
  run ls -A md/new md/cur
  assert_output --partial ".keep"
  refute_output --partial "1795430400"
}

@test "SIGTERM during a drain: 143, the mbox whole, no lock left behind" {
  cp box before
  # The command goes on only once the signal has been sent.
  bg env --default-signal=INT mailsplit --drain \
    --exec 'sh -c "touch held; while [ ! -e go ]; do sleep 0.05; done; cat > /dev/null"' box
  wait_for_file held
  kill -TERM "$BG_PID"
  touch go
  wait_status "$BG_PID"
  assert_equal "$status" 143
  cmp box before
  assert_file_not_exists box.lock
  run mailsplit -w 0 --drain box queue
  assert_success
}

@test "a Maildir source: symlinks, directories and FIFOs are skipped, never unlinked" {
  mkdir -p md/new md/cur md/tmp
  cp expected1 md/new/1.a
  ln -s /etc/hostname md/new/2.link
  mkdir md/new/3.dir
  mkfifo md/new/4.fifo
  run timeout 20 mailsplit --drain md queue
  assert_success
  assert_output --partial "skipping md/new/2.link: not a regular file"
  assert_equal "$(ls queue/new | wc -l)" 1
  cmp queue/new/* expected1
  run ls md/new
  assert_output "$(printf '2.link\n3.dir\n4.fifo')"
}

@test "--exec with our own standard input closed: the command still reads its message" {
  # The pipe to the command is then fd 0 in mailsplit itself (a cron job or
  # daemon may start it so); it must not reach the command closed.
  # From a Maildir, where each message file is closed again before the pipe
  # is made.
  mkdir -p md/new md/cur md/tmp
  cp expected1 md/new/1.a && cp expected2 md/new/2.b
  run --separate-stderr bash -c 'exec <&-; mailsplit --drain --exec "sh -c \"cat > out.\$FILENO\"" md'
  assert_success
  cmp out.0001 expected1
  cmp out.0002 expected2
  run --separate-stderr bash -c 'exec <&-; mailsplit --exec "sh -c \"cat > box.\$FILENO\"" box'
  assert_success
  cmp box.0001 expected1
}

@test "--exec: an inherited SIGCHLD ignore, or FILENO, changes nothing" {
  run --separate-stderr perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV' mailsplit --exec 'sh -c "echo \$FILENO"' box
  assert_success
  assert_output "$(printf '0001\n0002')"
  FILENO=stale MAILSPLIT_SOURCE=stale run --separate-stderr mailsplit --exec 'sh -c "echo \$FILENO \$MAILSPLIT_SOURCE"' box
  assert_output "$(printf '0001 box\n0002 box')"
  run -127 mailsplit --drain --exec 'no-such-command-here > /dev/null' box
  assert_output --partial "the shell could not run"
  assert_equal "$(grep -c '^From ' box)" 2
}

@test "standard input: - reads an mbox; --drain of it is refused" {
  run sh -c 'mailsplit - queue < box'
  assert_success
  assert_equal "$(ls queue/new | wc -l)" 2
  run sh -c 'mailsplit --drain - queue2 < box'
  assert_equal "$status" 64
  assert_output --partial "not standard input"
}

@test "CRLF, binary bytes and a missing final newline come back as they were" {
  printf 'From a@b Mon Nov 23 10:00:00 2026\r\nSubject: crlf\r\n\r\nline\r\n\r\nFrom b@c Mon Nov 23 10:00:00 2026\nSubject: bin\n\n\001\377\000x\nend without newline' > odd
  run mailsplit -o out odd
  assert_success
  cmp out/0001 <(printf 'Return-Path: <a@b>\r\nSubject: crlf\r\n\r\nline\r\n')
  cmp out/0002 <(printf 'Return-Path: <b@c>\nSubject: bin\n\n\001\377\000x\nend without newline')
}

@test "not an mbox: 65, the line quoted, nothing written" {
  printf 'Subject: a lone message\n\nhi\n' > notbox
  run mailsplit notbox queue
  assert_equal "$status" 65
  assert_output --partial 'its first line is "Subject: a lone message"'
  assert_file_not_exists queue
  run mailsplit --drain notbox queue
  assert_equal "$status" 65
  assert_equal "$(cat notbox)" "$(printf 'Subject: a lone message\n\nhi')"
}

@test "missing or unreadable source: 66; a directory that is no Maildir: 66" {
  run mailsplit absent queue
  assert_equal "$status" 66
  assert_output --partial "absent"
  mkdir plain
  run mailsplit plain queue
  assert_equal "$status" 66
  assert_output --partial "not a Maildir"
  chmod 600 box
  run as_nobody mailsplit --count "$T/box"
  assert_equal "$status" 66
}

@test "queue that cannot be created: 73, before anything is read" {
  run mailsplit box "$T/no/such/dir/queue"
  assert_equal "$status" 73
  assert_output --partial "no/such/dir/queue"
  mkdir ro && chmod 555 ro
  run as_nobody mailsplit "$T/box" "$T/ro/queue"
  assert_equal "$status" 73
}

@test "a queue others may enter: 78, before anything is read or taken" {
  mkdir -m 755 open
  cp box before
  run mailsplit --drain box open
  assert_equal "$status" 78
  assert_output "mailsplit: the queue open is open to others (mode 0755); a queue must be private: chmod 700 open"
  cmp box before
  run ls -A open
  assert_output ""
  chmod 701 open
  run mailsplit --drain box open
  assert_equal "$status" 78
  chmod 700 open
  run mailsplit --drain box open
  assert_success
  assert_equal "$(ls open/new | wc -l)" 2
}

# disk_full_drains MBOX SIZE: drains MBOX into a queue, then with -o, on a
# tmpfs of SIZE it does not fit in: each run exits 74 saying so, leaves no
# file behind, and leaves MBOX as it was.
disk_full_drains() {
  [ "$(id -u)" -eq 0 ] || skip "needs root to mount a small tmpfs"
  mkdir small
  mount -t tmpfs -o size="$2" tmpfs small || skip "cannot mount tmpfs here"
  cp "$1" before
  run mailsplit --drain "$1" small/queue
  local queue_status=$status queue_out=$output queue_left
  queue_left=$(find small/queue/tmp small/queue/new -type f 2>/dev/null | wc -l)
  run mailsplit --drain -o small/out "$1"
  local o_status=$status o_out=$output o_left
  o_left=$(find small/out -type f 2>/dev/null | wc -l)
  umount small
  assert_equal "$queue_status" 74
  [[ $queue_out == *"No space left on device"* ]] || fail "queue: no ENOSPC message: $queue_out"
  assert_equal "$queue_left" 0
  assert_equal "$o_status" 74
  [[ $o_out == *"No space left on device"* ]] || fail "-o: no ENOSPC message: $o_out"
  assert_equal "$o_left" 0
  cmp "$1" before
}

@test "disk full while writing: 74, tmp/ rolled back, source untouched" {
  head -c 200000 /dev/urandom | base64 > big
  { printf 'From a@b Mon Nov 23 10:00:00 2026\nSubject: big\n\n'; cat big; printf '\n'; } > bigbox
  # One message, written behind the reader (write_behind.hpp): the failure
  # is known only when the run commits.
  disk_full_drains bigbox 64k
}

@test "disk full midway through many messages: 74, nothing left behind" {
  # 60 messages of 20 KB and 60 of 100 KB, 7 MB in all: the disk fills up
  # while later ones are read.
  python3 - manybox <<'PY'
import sys
with open(sys.argv[1], "wb") as f:
    for i in range(120):
        size = 20_000 if i % 2 else 100_000
        f.write(b"From a@b Mon Nov 23 10:00:00 2026\nSubject: %d\n\n" % i)
        f.write((b"%d" % i * 80)[:75] * (size // 76) + b"\n\n")
PY
  disk_full_drains manybox 512k
}

@test "usage errors: 64" {
  run mailsplit
  assert_equal "$status" 64
  run mailsplit box
  assert_equal "$status" 64
  assert_output --partial "no destination"
  run mailsplit --count -o out box
  assert_equal "$status" 64
  run mailsplit -F mbox box queue
  assert_equal "$status" 64
  mkdir -p md/new md/cur md/tmp
  run mailsplit md md
  assert_equal "$status" 64
  assert_output --partial "is the source itself"
  run mailsplit --drain --count box
  assert_equal "$status" 64
}

@test "--exec runs the command once per message, the message on its input" {
  run --separate-stderr mailsplit --exec 'sh -c "cat > out.$FILENO; echo $MAILSPLIT_SOURCE"' box
  assert_success
  assert_output "$(printf 'box\nbox')"
  assert_equal "$stderr" "mailsplit: box: 2 taken"
  cmp out.0001 expected1
  cmp out.0002 expected2
  # No shell syntax: run directly, its arguments split at blanks.
  run --separate-stderr mailsplit --exec 'grep -c Subject:' box
  assert_success
  assert_output "$(printf '1\n1')"
  run -127 mailsplit --exec no-such-command-here box
  assert_equal "$status" 127
}

@test "--exec: the command starts with the signal state we were given, not ours" {
  # While we run, SIGINT, SIGTERM and SIGHUP have our handler and SIGPIPE is
  # ignored around the writing; none of it may reach the command: cat(1),
  # run without a shell, shows its blocked and ignored signals as a process
  # started here does.
  expected=$(grep -E '^Sig(Blk|Ign):' /proc/self/status)
  run mailsplit --exec 'cat /proc/self/status' box
  assert_success
  assert_equal "$(grep -E '^Sig(Blk|Ign):' <<< "$output" | sort -u)" "$expected"
  # A signal ignored when we were started stays ignored for the command.
  run perl -e '$SIG{INT} = "IGNORE"; exec @ARGV' mailsplit --exec 'cat /proc/self/status' box
  assert_success
  ignored=$(grep -m1 '^SigIgn:' <<< "$output" | awk '{ print $2 }')
  [ $((0x$ignored & 2)) -eq 2 ] || fail "SIGINT not ignored: SigIgn $ignored"
}

@test "--exec: a script without #! runs under sh, as a shell would run it" {
  printf 'grep -c Subject:\n' > count-subjects
  chmod +x count-subjects
  run --separate-stderr mailsplit --exec ./count-subjects box
  assert_success
  assert_output "$(printf '1\n1')"
}

@test "--exec --drain: a failed command keeps its message; an mbox keeps all then" {
  cp box before
  run mailsplit --drain --exec 'grep -q second' box
  assert_equal "$status" 75
  assert_output --partial "message 0001: grep exited 1; the message stays in box"
  cmp box before
  mkdir -p md/new md/cur md/tmp
  cp expected1 md/new/1.a
  cp expected2 md/new/2.b
  run mailsplit --drain --exec 'grep -q second' md
  assert_equal "$status" 75
  run ls md/new
  assert_output "1.a"
  run mailsplit --drain --exec cat box
  assert_success
  assert_equal "$(stat -c %s box)" 0
}

@test "remote URLs without a server: 64 for a bad URL, 75 when nobody answers" {
  # (tests/integration/mailsplit_{pop3,imap}.bats run against Dovecot.)
  for url in imap://u:pw@127.0.0.1:1/ "imap://u@127.0.0.1:1/INBOX;UID=1" pop3://u@127.0.0.1:1/INBOX \
             "imap://u@127.0.0.1:1/?x"; do
    run mailsplit --drain "$url" queue
    [ "$status" -eq 64 ] || fail "$url: status $status: $output"
  done
  assert_not_exists queue/new
  # Nobody listens on port 1.
  for url in imaps://u@127.0.0.1:1/ pop3s://u@127.0.0.1:1/; do
    run mailsplit --count "$url"
    assert_equal "$status" 75
    assert_output --partial "try again later"
  done
}

@test "round trip through real procmail deliveries" {
  command -v procmail >/dev/null || fail "procmail is not installed (scripts/deps test)"
  printf 'DEFAULT=%s/pm.mbox\nLOGFILE=/dev/null\n' "$T" > rc
  for i in 1 2 3; do
    printf 'From: user%s@example.org\nSubject: message %s\n\nFrom the start, line one.\nline %s\n' "$i" "$i" "$i" > "msg$i"
    procmail -f "user$i@example.org" -m rc < "msg$i"
  done
  run mailsplit --drain pm.mbox queue
  assert_success
  assert_equal "$(stat -c %s pm.mbox)" 0
  run queued queue
  assert_equal "${#lines[@]}" 3
  for i in 1 2 3; do
    cmp "${lines[$((i - 1))]}" <(printf 'Return-Path: <user%s@example.org>\n' "$i"; cat "msg$i")
  done
}

# big N: an mbox of N short messages.
big() {
  local i
  for ((i = 1; i <= $1; i++)); do
    printf 'From a@example.org Mon Nov 23 10:00:00 2026\nSubject: %d\n\nbody %d\n\n' "$i" "$i"
  done > big
}

@test "-v into a standard error nobody reads: all taken and drained, exit 0, no lock left" {
  run dead_stderr mailsplit -v --drain box queue
  assert_success
  assert_equal "$(ls queue/new | wc -l)" 2
  [ ! -s box ]
  assert_file_not_exists box.lock
  # The same as a shell pipeline does it: 2,000 lines of -v fill the pipe,
  # so a write meets the closed end whatever the timing.
  big 2000
  run bash -c 'mailsplit -v --drain big q2 2>&1 | true; echo "${PIPESTATUS[0]}"'
  assert_output 0
  assert_equal "$(ls q2/new | wc -l)" 2000
  [ ! -s big ]
  assert_file_not_exists big.lock
}

@test "--stdout into a pipe nobody reads: 74, the mbox whole, no lock left" {
  big 2000
  cp big before
  run bash -c 'mailsplit --stdout big | true; echo "${PIPESTATUS[0]}"'
  assert_line --partial "cannot write standard output"
  assert_line 74
  cmp big before
  assert_file_not_exists big.lock
}

@test "every signal that would end mailsplit releases the mailbox: SIGUSR1 while a command runs" {
  for sig in USR1 HUP ALRM PIPE; do
    rm -f held
    cp box before
    bg mailsplit --drain --exec 'sh -c "touch held; sleep 1; cat > /dev/null"' box
    wait_for_file held
    kill -s "$sig" "$BG_PID"
    ends_within 120 "$BG_PID"
    assert_equal "$status" "$((128 + $(kill -l "$sig")))"
    cmp box before
    assert_file_not_exists box.lock
  done
}

@test "SIGTERM ends a wait on a standard input that never ends: 143, nothing queued" {
  mkfifo input
  # One whole message, the start of the next, and no end.
  bg sh -c 'exec > input; printf "From a@b Mon Nov 23 10:00:00 2026\n\none\n\nFrom a@b Mon Nov 23 10:01:00 2026\n"; exec sleep 600'
  writer=$BG_PID
  # (A background job's standard input is /dev/null unless its own command
  # redirects it.)
  bg sh -c 'exec mailsplit - queue < input'
  wait_blocked "$BG_PID" pipe_read
  kill -TERM "$BG_PID"
  ends_within 120 "$BG_PID"
  assert_equal "$status" 143
  assert_equal "$(ls queue/new | wc -l)" 0
  kill "$writer"
}

@test "a FIFO, a device or a socket is no source: 66 before anything is opened or locked" {
  mkfifo fifo
  run timeout 20 mailsplit fifo queue
  assert_equal "$status" 66
  assert_output --partial "fifo is a FIFO, not an mbox file or a Maildir"
  assert_file_not_exists fifo.lock
  python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind("sock")'
  run mailsplit --count sock
  assert_equal "$status" 66
  assert_output --partial "sock is a socket"
  assert_file_not_exists sock.lock
  if [ "$(id -u)" -eq 0 ]; then
    # /dev/zero's own numbers, in our directory: no /dev/zero.lock is made
    # even when the test fails.
    mknod zero c 1 5
    # A bound on memory in case it reads on: ulimit -v for a plain build;
    # AddressSanitizer reserves terabytes of address space for its shadow,
    # so an instrumented build is bounded by its own RSS limit instead.
    if [ -n "${ASAN_OPTIONS:-}" ]; then
      run env ASAN_OPTIONS="$ASAN_OPTIONS:hard_rss_limit_mb=2000" \
        timeout 20 mailsplit zero queue
    else
      run bash -c 'ulimit -v 2000000; timeout 20 mailsplit zero queue'
    fi
    assert_equal "$status" 66
    assert_output --partial "zero is a character device"
    assert_file_not_exists zero.lock
  fi
  run mailsplit /dev/null queue
  assert_equal "$status" 66
  assert_file_not_exists queue/new
}

@test "the mbox corpus splits as written by hand (RFC 4155, the dates real writers wrote); spoolcheck -c agrees" {
  for box in "$FORUMGATE_SOURCE"/tests/data/mbox/*.mbox; do
    name=$(basename "$box" .mbox)
    mkdir "out-$name"
    mailsplit -o "out-$name" "$box"
    # Each message's first Subject:, "(none)" for a piece cut off without one.
    for f in "out-$name"/*; do
      awk '{ sub(/\r$/, "") } /^Subject: / { sub(/^Subject: /, ""); print; found = 1; exit }
           END { if (!found) print "(none)" }' "$f"
    done > "$name.got"
    diff -u "${box%.mbox}.subjects" "$name.got"
    [ "$(spoolcheck -c "$box" | cut -d' ' -f1)" = "$(wc -l < "${box%.mbox}.subjects")" ]
  done
}
