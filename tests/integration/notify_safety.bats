#!/usr/bin/env bats
# forumnotify killed with SIGKILL at random instants during a fan-out: no
# (post, subscriber) may be missing, and none may come twice beyond what
# was in flight at a kill (accepted since the last commit, or handed to
# the MTA), with the same Message-ID and the same bytes. The instants are
# drawn from the length of an undisturbed run of the same work, measured
# first on this machine; outcomes are read from the Maildirs Postfix
# delivered into and from the database, never from a status.

load ../lib/common
load ../lib/postfix
load ../lib/e2e

POSTS=10
SUBSCRIBERS=50
COMMIT=5
PARALLEL=4

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }

setup() {
  common_setup
  [ "$(id -u)" -eq 0 ] || skip "a private Postfix instance needs root"
  command -v postfix >/dev/null || PATH=$PATH:/usr/sbin
  command -v postfix >/dev/null || fail "postfix is not installed (scripts/deps test)"
  e2e_setup_forum
  mkdir -p mail
  chown nobody:nogroup mail
  local i d
  for d in measure.example kill.example; do
    for ((i = 1; i <= SUBSCRIBERS; i++)); do echo "s$i@$d $d/s$i/"; done
  done > vmailbox
  postmap vmailbox
  cat > main.cf.in <<CF
virtual_mailbox_domains = measure.example kill.example
virtual_mailbox_base = $T/mail
virtual_mailbox_maps = hash:$T/vmailbox
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
CF
  echo "postmaster: root" > aliases.in
  postfix_listen "$T"
  postfix_start "$T"
  postfix_wait_listening
}
teardown() {
  postfix_stop
  common_teardown
}

# forum DB DOMAIN: a database with SUBSCRIBERS at DOMAIN, its cursor at 0.
forum() {
  local db=$1 domain=$2 i
  mariadb_load_wagora "$db"
  mariadb_sql "$db" -e "INSERT INTO agora_fg_notify VALUES ('linux', 0, 0)"
  for ((i = 1; i <= SUBSCRIBERS; i++)); do
    mariadb_sql "$db" -e "INSERT INTO agora_fg_subscriptions (bn_name, address, unixdate) VALUES ('linux', 's$i@$domain', 1)"
  done
  mariadb_defaults "$T/$db.cnf" "$db"
}
# add_posts DB: POSTS more posts, made on the web.
add_posts() {
  local i
  for ((i = 1; i <= POSTS; i++)); do
    mariadb_sql "$1" -e "INSERT INTO agora_linux (parent, thread, subject, body, userid, unixdate)
      VALUES (0, 0, 'Post', '<p>$(head -c 3000 /dev/zero | tr '\0' 'x')</p>', 'web', 2)"
  done
  mariadb_sql "$1" -e "UPDATE agora_linux SET thread = cle"
}
args() {
  ARGS=(--defaults-file "$T/$1.cnf" --address '{forum}@forum.example.org'
    --web-message-id '<{post}.{forum}@forum.example.org>' --commit-every $COMMIT --parallel $PARALLEL
    "${SENDER[@]}" -q)
}
fn() {
  args "$1"
  forumnotify "${ARGS[@]}"
}
queue_empty() {
  local i
  for ((i = 0; i < 600; i++)); do
    postqueue -c "$PF_DIR" -p 2>/dev/null | grep -q 'Mail queue is empty' && return 0
    sleep 0.1
  done
  echo "Postfix's queue did not drain" >&2
  return 1
}
# "Message-ID subscriber" for each message in the Maildirs of DOMAIN.
delivered() {
  local f
  for f in "$T/mail/$1"/*/new/*; do
    [ -e "$f" ] || continue
    printf '%s %s\n' "$(sed -n 's/^Message-ID: //p;/^$/q' "$f")" "$(basename "$(dirname "$(dirname "$f")")")"
  done | sort
}

# kill_during_fanout: the test, for the sender in $SENDER.
kill_during_fanout() {
  local m=measured$BATS_TEST_NUMBER k=killed$BATS_TEST_NUMBER
  forum "$m" measure.example
  forum "$k" kill.example
  add_posts "$m"
  start=$(date +%s%N)
  fn "$m"
  duration_ms=$((($(date +%s%N) - start) / 1000000))
  queue_empty
  per_run=$((POSTS * SUBSCRIBERS))
  assert_equal "$(delivered measure.example | wc -l)" "$per_run"
  echo "# an undisturbed run: $per_run messages in $duration_ms ms" >&3

  # Runs killed until three were, each at an instant within what the
  # undisturbed run took for the work left (from the state: the posts in
  # the outbox less the deliveries recorded), from 5% to 90% of it. A run
  # that ends first (this one was faster) gets new posts for the next.
  kills=0 posts=0
  for ((round = 0; round < 20 && kills < 3; round++)); do
    left=$(mariadb_sql -N "$k" -e "SELECT (SELECT COUNT(*) FROM agora_fg_outbox) * $SUBSCRIBERS -
      (SELECT COUNT(*) FROM agora_fg_deliveries)")
    [ "$round" -gt 0 ] || left=0
    if [ "$left" -le 0 ]; then
      add_posts "$k"
      posts=$((posts + POSTS))
      left=$per_run
    fi
    args "$k"
    forumnotify "${ARGS[@]}" 2>/dev/null &
    pid=$!  # forumnotify's own, not a subshell's
    sleep "$(python3 -c 'import random, sys; d, l, n = map(int, sys.argv[1:]); print(random.uniform(0.05, 0.9) * d / 1000 * l / n)' \
      "$duration_ms" "$left" "$per_run")"
    # A run that has ended is a zombie until waited for: kill would succeed.
    state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
    if [ -n "$state" ] && [ "$state" != Z ] && kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
    wait "$pid" 2>/dev/null || true
  done
  fn "$k"
  queue_empty
  expected=$((posts * SUBSCRIBERS))
  echo "# $kills of $round runs killed, then one to the end; $expected messages" >&3
  [ "$kills" -ge 3 ] || fail "only $kills runs were still running when killed"

  # Every (post, subscriber) there, and nothing else.
  delivered kill.example | uniq > got
  for ((p = 1; p <= posts; p++)); do
    for ((s = 1; s <= SUBSCRIBERS; s++)); do echo "<$p.linux@forum.example.org> s$s"; done
  done | sort > wanted
  run diff wanted got
  assert_success
  # Duplicates: at most what each kill left in flight.
  total=$(delivered kill.example | wc -l)
  duplicates=$((total - expected))
  echo "# $duplicates sent twice" >&3
  [ "$duplicates" -le $((kills * (COMMIT + PARALLEL))) ] || fail "$duplicates duplicates after $kills kills"
  # A duplicate is the same message: the same bytes below the MTA's trace fields.
  for f in "$T"/mail/kill.example/*/new/*; do
    sed '1,/^Message-ID:/{/^Message-ID:/!d}' "$f" | md5sum | cut -d' ' -f1
  done | sort -u | wc -l > distinct
  assert_equal "$(cat distinct)" "$posts"
  # The state is clean: nothing waits, the cursor is at the newest post.
  assert_equal "$(mariadb_sql -N "$k" -e 'SELECT COUNT(*) FROM agora_fg_outbox')" 0
  assert_equal "$(mariadb_sql -N "$k" -e 'SELECT COUNT(*) FROM agora_fg_deliveries')" 0
  assert_equal "$(mariadb_sql -N "$k" -e 'SELECT last_post FROM agora_fg_notify')" "$posts"
}

@test "kill -9 during an SMTP fan-out, at instants drawn from an undisturbed run: nothing missing, duplicates only from what was in flight" {
  SENDER=(--smtp "smtp://127.0.0.1:$PF_SMTP_PORT")
  kill_during_fanout
}

@test "kill -9 during a sendmail fan-out: the same" {
  POSTS=4
  SENDER=(--sendmail "/usr/sbin/sendmail -C $PF_DIR -i")
  kill_during_fanout
}
