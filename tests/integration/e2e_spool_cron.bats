#!/usr/bin/env bats
# Recipe 3 of forumgate(7): Postfix delivers into a local mbox (and a
# Maildir) while the line of examples/cron/forumgate.cron runs again and
# again as nobody (a loop stands in for cron). Every message must become
# exactly one post, and every reply must join its thread.
#
# FORUMGATE_E2E_MESSAGES sets how many messages (default 500; issue 6 asks
# for 2000, which takes several minutes).

load ../lib/common
load ../lib/postfix
load ../lib/e2e

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }

setup() {
  common_setup
  [ "$(id -u)" -eq 0 ] || skip "a private Postfix instance needs root"
  command -v postfix >/dev/null || PATH=$PATH:/usr/sbin
  command -v postfix >/dev/null || fail "postfix is not installed (scripts/deps test)"
  e2e_setup_forum
  mkdir spool lock && chmod 1777 spool lock
  # The queue is made a Maildir when installing, as forumgate(7) says.
  mkdir -p queue/new queue/cur queue/tmp && chown -R nobody:nogroup queue && chmod -R 700 queue
  N=${FORUMGATE_E2E_MESSAGES:-500}
}
teardown() {
  postfix_stop
  common_teardown
}

# The cron line's command, for the spool SPOOL.
cron_command() {
  example cron/forumgate.cron | awk '/^[*0-9]/ { $1 = $2 = $3 = $4 = $5 = $6 = ""; sub(/^ +/, ""); print }' |
    sed "s|$T/spool/forum|$1|g"
}

# send_threads N: N messages in threads of ten, sent with sendmail: a root,
# then nine replies to it (by In-Reply-To, or by References alone). A root
# is delivered before its replies are sent, as a reply is written after its
# parent is read. Records "message root" pairs in expected.
send_threads() {
  local k root sent=0
  for ((k = 1; k <= $1; k++)); do
    root=$(((k - 1) / 10 * 10 + 1))
    if [ "$k" -eq "$root" ]; then
      message "$k@t" "thread $k" <<< "Root $k."
    elif ((k % 2)); then
      message "$k@t" "Re: thread $root" "In-Reply-To: <$root@t>" "References: <$root@t>" <<< "Reply $k."
    else
      message "$k@t" "Re: thread $root" "References: <$root@t>" <<< "Reply $k."
    fi | postfix_send -f amelie@example.org forumbox@localhost || return 1
    sent=$((sent + 1))
    echo "<$k@t> <$root@t>" >> expected
    if [ "$k" -eq "$root" ]; then postfix_wait_sent "$sent" || return 1; fi
  done
}

# cron_once SPOOL COMMAND: one run, as cron would, as nobody. 0, or 1 from
# spoolcheck for no mail, or 75 from lockrun -n for a run still going, are
# normal; 2 only until Postfix has made SPOOL (a Maildir, SPOOL/, is made
# when its new/ is there: Postfix makes the directory first).
cron_once() {
  local rc=0 made=$1 there=0
  [[ $1 == */ ]] && made=$1/new
  # Looked at before the run: the spool may be made during it.
  [ -e "$made" ] && there=1
  as_nobody sh -c "$2" 2>> cron.log || rc=$?
  case $rc in
    0 | 1 | 75) ;;
    2) [ "$there" = 0 ] || fail "the cron line failed with status 2: $(tail -3 cron.log)" ;;
    *) fail "the cron line failed with status $rc: $(tail -3 cron.log)" ;;
  esac
}

# run_cron SPOOL: the cron line as nobody, again and again, while Postfix
# delivers; then once more after the last delivery.
run_cron() {
  local cmd runs=0 start=$SECONDS
  cmd=$(cron_command "$1")
  bg send_threads "$N"
  local sender=$BG_PID
  while kill -0 "$sender" 2>/dev/null || [ "$(grep -c 'status=sent' "$PF_LOG")" -lt "$N" ]; do
    cron_once "$1" "$cmd"
    runs=$((runs + 1))
    [ $((SECONDS - start)) -lt 600 ] || fail "not done after 600 s"
    sleep 0.2
  done
  wait_status "$sender"
  [ "$status" -eq 0 ] || fail "sending failed"
  cron_once "$1" "$cmd"
  echo "# $N messages, $runs runs of the cron line, $((SECONDS - start)) s" >&3
}

check_posts() {
  # Exactly one post per message ...
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_linux')" "$N"
  assert_equal "$(sql 'SELECT COUNT(DISTINCT message_id) FROM agora_fg_messages')" "$N"
  # ... each in the thread of its root, a reply's parent being the root.
  sql 'SELECT m.message_id, r.message_id FROM agora_fg_messages m
         JOIN agora_fg_messages r ON r.post_id = m.thread ORDER BY m.post_id' | tr '\t' ' ' | sort > threads
  sort expected > expected.sorted
  run diff expected.sorted threads
  assert_success
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_linux p JOIN agora_linux t ON t.cle = p.thread
                       WHERE (p.parent = 0) <> (p.cle = p.thread) OR (p.parent <> 0 AND p.parent <> p.thread)')" 0
  assert_equal "$(sql 'SELECT totalthreads, totalnotes FROM agora')" "$(((N + 9) / 10))	$N"
  # Nothing left behind, nothing refused.
  assert_equal "$(ls queue/new | wc -l)" 0
  [ ! -e queue/.failed ] || fail "refused: $(ls queue/.failed/new)"
}

@test "mbox spool: Postfix delivers, the cron line drains and posts; every message once, in its thread" {
  echo "forumbox: $T/spool/forum" > aliases.in
  postfix_start "$T"
  run_cron "$T/spool/forum"
  assert_equal "$(stat -c %s spool/forum)" 0
  check_posts
}

@test "Maildir spool: the same with a Maildir Postfix delivers into" {
  echo "forumbox: $T/spool/forum/" > aliases.in
  postfix_start "$T"
  run_cron "$T/spool/forum/"
  assert_equal "$(find spool/forum/new spool/forum/cur -type f | wc -l)" 0
  check_posts
}

@test "mail that waited for the database is posted by the next run, though no new mail came" {
  echo "forumbox: $T/spool/forum" > aliases.in
  postfix_start "$T"
  local cmd k
  cmd=$(cron_command "$T/spool/forum")
  mariadb_stop
  for k in 1 2 3; do
    message "$k@t" "down $k" <<< "Sent while the database was down." |
      postfix_send -f amelie@example.org forumbox@localhost
  done
  postfix_wait_sent 3
  run as_nobody sh -c "$cmd"
  assert_failure 75
  assert_equal "$(ls queue/new | wc -l)" 3
  assert_equal "$(stat -c %s spool/forum)" 0
  mariadb_start "$E2E_DB_DIR"
  run as_nobody sh -c "$cmd"
  assert_success
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_linux')" 3
  assert_equal "$(ls queue/new | wc -l)" 0
}
