#!/usr/bin/env bats
# spoolcheck(1): is there new mail in these spools?

load ../lib/common
load ../lib/faults

setup() { common_setup; }
teardown() { common_teardown; }

FROM_LINE='From alice@example.org Mon Nov 23 10:00:00 2026'

# mbox NAME [MESSAGES]: an mbox holding MESSAGES messages (default 0: empty).
mbox() {
  : > "$1"
  local i
  for ((i = 0; i < ${2:-0}; i++)); do
    printf '%s\nSubject: %d\n\nFrom here on, a body line.\n\n' "$FROM_LINE" "$i" >> "$1"
  done
}

# maildir NAME: an empty Maildir.
maildir() { mkdir -p "$1/tmp" "$1/new" "$1/cur"; }

# deliver MAILDIR NAME: as maildir(5) says, write in tmp/, then rename into new/.
deliver() {
  printf '%s\n\nhello\n' "$FROM_LINE" > "$1/tmp/$2"
  mv "$1/tmp/$2" "$1/new/$2"
}

@test "exit 0 and the names of the spools with new mail; 1 when none has any" {
  mbox empty
  mbox full 2
  maildir md-empty
  maildir md-full
  deliver md-full 1700000000.1.host
  run spoolcheck empty full md-empty md-full
  assert_success
  assert_output "$(printf 'full\nmd-full')"
  run spoolcheck empty md-empty
  assert_equal "$status" 1
  assert_output ""
}

@test "a missing spool has no mail and is no error" {
  mbox full 1
  run spoolcheck "$T/absent"
  assert_equal "$status" 1
  assert_output ""
  run spoolcheck "$T/absent" full
  assert_success
  assert_output "full"
}

@test "Maildir: dot files in new/ and mail in cur/ or tmp/ are no new mail" {
  maildir md
  touch md/new/.DS_Store md/new/.nfs000123
  echo seen > md/cur/1700000000.1.host:2,S
  echo delivering > md/tmp/1700000001.2.host
  run spoolcheck md
  assert_equal "$status" 1
  assert_output ""
  run spoolcheck -c md
  assert_equal "$status" 1
  assert_output "0 md"
  deliver md 1700000002.3.host
  run spoolcheck md
  assert_success
  assert_output "md"
}

@test "-q prints nothing; exit 0 at the first spool with mail, even after an error" {
  mbox empty
  mbox full 1
  run spoolcheck -q empty full
  assert_success
  assert_output ""
  run spoolcheck -q empty
  assert_equal "$status" 1
  assert_output ""
  # Nobody listens on port 1: the remote spool cannot be checked.
  run spoolcheck -q pop3://u@127.0.0.1:1/ full
  assert_success
  assert_output --partial "try again later"
  run spoolcheck -q pop3://u@127.0.0.1:1/ empty
  assert_equal "$status" 2
}

@test "-c prints COUNT SPOOL for every spool; From_ lines only count" {
  mbox empty
  mbox three 3
  maildir md
  deliver md a.host
  deliver md b.host
  touch md/new/.hidden
  run spoolcheck -c empty three md "$T/absent"
  assert_success
  assert_output "$(printf '0 empty\n3 three\n2 md\n0 %s' "$T/absent")"
}

@test "--json describes every spool, for jq" {
  mbox full 2
  maildir md
  run --separate-stderr spoolcheck --json -c full md absent pop3://u:pw@h/
  assert_equal "$status" 2
  [ "$(jq -r .new_mail <<<"$output")" = true ]
  [ "$(jq -r '.spools | length' <<<"$output")" = 4 ]
  [ "$(jq -r '.spools[0] | "\(.spool) \(.type) \(.new_mail) \(.count)"' <<<"$output")" = "full mbox true 2" ]
  [ "$(jq -r '.spools[1] | "\(.spool) \(.type) \(.new_mail) \(.count)"' <<<"$output")" = "md maildir false 0" ]
  [ "$(jq -r '.spools[2] | "\(.spool) \(.type) \(.new_mail)"' <<<"$output")" = "absent missing false" ]
  [[ "$(jq -r '.spools[3].error' <<<"$output")" == *"password in a netrc file"* ]]
  [ "$(jq -r '.spools[3].type' <<<"$output")" = null ]
  [ "$(jq -r '.spools[0] | has("error")' <<<"$output")" = false ]
  run spoolcheck --json md
  assert_equal "$status" 1
  [ "$(jq -r '.new_mail, (.spools[0] | has("count"))' <<<"$output" | tr '\n' ' ')" = "false false " ]
}

@test "--json: quotes and bytes that are not UTF-8 in a name are still valid JSON" {
  name=$(printf 'odd "name"\\ \xff\xfe box')
  mbox "$name" 1
  run spoolcheck --json "$name"
  assert_success
  [ "$(jq -r '.spools[0].spool' <<<"$output")" = "$(printf 'odd "name"\\ \xef\xbf\xbd\xef\xbf\xbd box')" ]
}

@test "a name with controls is shown escaped on a terminal, as it is in a pipe" {
  mbox $'box\033]2;owned\007' 1
  script -qec "spoolcheck -c box*" /dev/null > shown
  grep -qF '1 box^[]2;owned^G' shown
  ! grep -q $'\033' shown
  spoolcheck -c box* > piped
  [ "$(cat piped)" = $'1 box\033]2;owned\007' ]
}

@test "-f FILE and -f - read spool names, one per line, with those of the command line" {
  mbox a 1
  mbox b
  maildir c
  deliver c 1.host
  mbox d 1
  printf 'a\n\nb\n' > list
  run spoolcheck -f list c
  assert_success
  assert_output "$(printf 'c\na')"
  run spoolcheck -f - -c d < <(printf 'c\nb\n')
  assert_success
  assert_output "$(printf '1 d\n1 c\n0 b')"
  run spoolcheck -f list -f - < <(printf 'd\n')
  assert_output "$(printf 'a\nd')"
  # A list written with CRLF line ends names the same spools.
  printf 'a\r\n\r\nb\r\n' > crlf-list
  run spoolcheck -f crlf-list c
  assert_success
  assert_output "$(printf 'c\na')"
  : > empty-list
  run spoolcheck -f empty-list
  assert_equal "$status" 1
  run spoolcheck -f "$T/no-list" a
  assert_equal "$status" 2
  assert_output --partial "spoolcheck: $T/no-list: No such file or directory"
}

@test "an unreadable spool is an error (2), naming it; the others are still checked" {
  mbox box 1
  chmod 000 box
  maildir md
  deliver md 1.host
  chmod 000 md/new
  mbox full 1
  run as_nobody spoolcheck "$T/box" "$T/md" "$T/full"
  assert_equal "$status" 2
  assert_line "spoolcheck: $T/box: Permission denied"
  assert_line "spoolcheck: $T/md: cannot read new/: Permission denied"
  assert_line "$T/full"
}

@test "what is neither an mbox nor a Maildir is an error (2)" {
  mkfifo fifo
  mkdir plain
  run spoolcheck fifo plain
  assert_equal "$status" 2
  assert_line "spoolcheck: fifo: not a spool: neither an mbox file nor a Maildir"
  assert_line --partial "spoolcheck: plain: not a spool"
}

@test "a remote spool that cannot be checked is an error (2) saying why, once" {
  for url in pop3://u@127.0.0.1:1/ pop3s://u@127.0.0.1:1/ imap://u@127.0.0.1:1/INBOX imaps://u@127.0.0.1:1/; do
    run spoolcheck "$url"
    assert_equal "$status" 2
    assert_output --regexp "^spoolcheck: ${url//./\\.}: [^:]+: .*port 1.*try again later\$"
  done
  run spoolcheck imap://u:pw@127.0.0.1:1/
  assert_equal "$status" 2
  assert_output --partial "password in a netrc file"
}

@test "local spools are checked without loading libcurl; a remote one loads it" {
  mbox full 1
  maildir md
  LD_DEBUG=files run spoolcheck full md
  assert_success
  refute_output --partial libcurl
  LD_DEBUG=files run spoolcheck pop3://u@127.0.0.1:1/
  assert_equal "$status" 2
  assert_output --partial "file=libcurl.so.4"
}

@test "bad usage is 64 with a message" {
  run spoolcheck
  assert_equal "$status" 64
  assert_output --partial "spoolcheck: no SPOOL given"
  run spoolcheck --no-such-option box
  assert_equal "$status" 64
  run spoolcheck --timeout 1 box
  assert_equal "$status" 64
  assert_output --partial "--timeout requires --watch"
  run spoolcheck -q -c box
  assert_equal "$status" 64
  run spoolcheck -q --json box
  assert_equal "$status" 64
  run spoolcheck --watch --timeout -1 box
  assert_equal "$status" 64
}

# watching ARGS...: spoolcheck --watch ARGS... in the background, its
# output in watch.out; returns once it waits for events.
watching() {
  bg spoolcheck --watch "$@" > watch.out
  wait_blocked "$BG_PID" poll
}

# watched: its status and output, once it has ended.
watched() {
  wait_status "$BG_PID"
  output=$(cat watch.out)
}

@test "--watch: a delivery into an mbox ends the wait, naming the spool" {
  mbox box
  maildir md
  watching --timeout 120 md box
  printf '%s\n\nhi\n' "$FROM_LINE" >> box
  watched
  assert_equal "$status" 0
  assert_output "box"
}

@test "--watch: a delivery into a Maildir (tmp/, then new/) ends the wait" {
  mbox box
  maildir md
  watching --timeout 120 box md
  echo hi > md/tmp/1.host
  mv md/tmp/1.host md/new/1.host
  watched
  assert_equal "$status" 0
  assert_output "md"
}

@test "--watch: an mbox created where there was none ends the wait" {
  watching --timeout 120 -c box
  printf '%s\n\nhi\n' "$FROM_LINE" > tmpbox
  mv tmpbox box
  watched
  assert_equal "$status" 0
  assert_output "1 box"
}

@test "--watch: the mbox's directory deleted or renamed, made again, then mail: the wait ends" {
  for how in delete rename; do
    rm -rf spool spool.old
    mkdir spool
    mbox spool/box
    watching --timeout 100 spool/box
    if [ $how = delete ]; then rm -r spool; else mv spool spool.old; fi
    mkdir spool
    printf '%s\n\nhi\n' "$FROM_LINE" > spool/box
    ends_within 120 "$BG_PID"
    assert_equal "$status" 0
    assert_equal "$(cat watch.out)" spool/box
  done
}

@test "--watch: a Maildir deleted and made again (maildirmake's order), then a delivery: the wait ends" {
  maildir md
  watching --timeout 100 md
  rm -r md
  mkdir md
  mkdir md/tmp md/new md/cur
  deliver md 1.host
  ends_within 120 "$BG_PID"
  assert_equal "$status" 0
  assert_equal "$(cat watch.out)" md
}

@test "--watch: directories gone two levels up, made again one by one" {
  mkdir -p a/b
  watching --timeout 100 a/b/box
  rm -r a
  mkdir a
  mkdir a/b
  printf '%s\n\nhi\n' "$FROM_LINE" > a/b/box
  ends_within 120 "$BG_PID"
  assert_equal "$status" 0
  assert_equal "$(cat watch.out)" a/b/box
}

@test "--watch: a dot file in new/ does not end the wait; --timeout then exits 1" {
  maildir md
  # The dot file comes while it waits: had it ended the wait, 0.
  watching --timeout 2 md
  touch md/new/.hidden
  watched
  assert_equal "$status" 1
  assert_output ""
}

@test "--watch --timeout with no mail exits 1" {
  mbox box
  maildir md
  run spoolcheck --watch --timeout 0.3 box md "$T/absent"
  assert_equal "$status" 1
  assert_output ""
  run spoolcheck --watch --timeout 0.3 --json md
  assert_equal "$status" 1
  [ "$(jq -r .new_mail <<<"$output")" = false ]
}

@test "--watch exits at once when there is mail already" {
  mbox box 1
  maildir md
  # No timeout: were it to wait, nothing would end it but timeout(1) (124).
  run timeout 20 spoolcheck --watch md box
  assert_success
  assert_output "box"
}

@test "--watch: a spool that cannot be checked or watched is 2 at once" {
  maildir md
  run timeout 20 spoolcheck --watch md imap://u@127.0.0.1:1/INBOX
  assert_equal "$status" 2
  assert_output --partial "cannot watch a remote spool"
  run timeout 20 spoolcheck --watch md "$T/no/such/dir/box"
  assert_equal "$status" 2
  assert_output --partial "spoolcheck: $T/no/such/dir/box: cannot watch $T/no/such/dir"
}

@test "options come from the [spoolcheck] section of the config file" {
  mbox full 2
  printf '[lockrun]\nwait = 3\n[spoolcheck]\ncount = true\n' > fg.conf
  run spoolcheck --config fg.conf full
  assert_success
  assert_output "2 full"
  run spoolcheck --config "$T/absent.conf" full
  assert_equal "$status" 78
}

@test "--help, --version and -v" {
  run spoolcheck --help
  assert_success
  assert_line --index 1 "Usage: spoolcheck [OPTIONS] SPOOL..."
  run spoolcheck --version
  assert_success
  assert_output --regexp '^spoolcheck \(forumgate\) [0-9]+\.[0-9]+\.[0-9]+$'
  mbox full 1
  run spoolcheck -v full absent
  assert_success
  assert_line "full"
  assert_line "spoolcheck: 2 spools checked: 1 with new mail, 0 not checked"
}

@test "thousands of spools: every one with mail is named, in order" {
  mkdir spools
  for i in $(seq 1 3000); do : > "spools/$i"; done
  for i in 7 1500 2999; do echo x > "spools/$i"; done
  seq 1 3000 | sed 's|^|spools/|' > list
  run spoolcheck -f list
  assert_success
  assert_output "$(printf 'spools/7\nspools/1500\nspools/2999')"
}

@test "a long list is checked below the directory its names share: .., symlinks and missing spools too" {
  mkdir -p forums/a forums/b
  for i in $(seq 1 40); do mbox "forums/a/m$i"; maildir "forums/b/d$i"; done
  mbox forums/a/m7 2
  deliver forums/b/d20 1.msg
  deliver forums/b/d20 2.msg
  ln -s a forums/link
  { for i in $(seq 1 40); do echo "forums/a/m$i"; echo "forums/b/d$i"; done
    echo forums/a/../b/d20
    echo forums//b/d20
    echo forums/link/m7
    echo forums/missing/x
  } > list
  run spoolcheck -f list
  assert_success
  assert_output "$(printf 'forums/a/m7\nforums/b/d20\nforums/a/../b/d20\nforums//b/d20\nforums/link/m7')"
  run spoolcheck -c -f list
  assert_success
  assert_line '2 forums/a/m7'
  assert_line '2 forums/b/d20'
  assert_line '2 forums/a/../b/d20'
  assert_line '2 forums//b/d20'
  assert_line '2 forums/link/m7'
  assert_line '0 forums/missing/x'
  assert_line '0 forums/b/d1'
  [ "$(grep -c '^0 ' <<< "$output")" -eq 79 ]
  # The shared directory named as a spool itself is no spool, as alone.
  echo forums/ >> list
  run spoolcheck -f list
  assert_failure 2
  assert_output --partial 'forums/: not a spool: a directory without new/ (no Maildir)'
}

@test "a long list whose shared directory is missing or no directory: each spool says so" {
  : > file
  for i in $(seq 1 70); do echo "gone/x$i"; done > gone-list
  run spoolcheck -f gone-list
  assert_failure 1
  assert_output ''
  for i in $(seq 1 70); do echo "file/x$i"; done > under-file
  run spoolcheck -f under-file
  assert_failure 2
  assert_output --partial 'file/x1: Not a directory'
  assert_output --partial 'file/x70: Not a directory'
}

@test "thousands of spools on several threads: -c counts each, -q answers" {
  mkdir spools
  for i in $(seq 1 3000); do
    if ((i % 2)); then : > "spools/$i"; else maildir "spools/$i"; fi
  done
  mbox spools/1001 3
  deliver spools/2000 a.msg
  seq 1 3000 | sed 's|^|spools/|' > list
  run spoolcheck -c -f list
  assert_success
  assert_line '3 spools/1001'
  assert_line '1 spools/2000'
  [ "$(grep -c '^0 ' <<< "$output")" -eq 2998 ]
  run spoolcheck -q -f list
  assert_success
  assert_output ''
}
