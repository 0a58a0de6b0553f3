#!/usr/bin/env bats
# The expected readings of tests/data/dsn (written by hand, and what
# mime/dsn's unit test holds our reader to) against two bounce readers of
# Debian's: Sisimai (libsisimai-perl) and flufl.bounce (Mailman's). A
# bounce without a delivery-status part is read by its VERP address, as
# forumpost does.

load ../lib/common

setup() {
  common_setup
  perl -MSisimai -e 1 2>/dev/null || fail "libsisimai-perl is not installed (scripts/deps test)"
  /usr/bin/python3 -c 'import flufl.bounce' 2>/dev/null || fail "python3-flufl.bounce is not installed (scripts/deps test)"
  D=$FORUMGATE_SOURCE/tests/data/dsn
}
teardown() { common_teardown; }

# The subscriber a VERP address names: linux-bounces+bob=example.net@... -> bob@example.net.
verp() { sed -n 's/^To: .*linux-bounces+\([^=]*\)=\([^@]*\)@.*/\1@\2/p' "$1" | head -1; }

@test "Sisimai reads each bounce as expected: the same recipients, actions and statuses" {
  local f n=0
  for f in "$D"/*.eml; do
    expected=$(cut -d' ' -f1-3 "${f%.eml}.expected")
    [ -n "$expected" ] || expected="$(verp "$f") failed"
    run "$FORUMGATE_SOURCE/tests/lib/bounce_peers.sh" sisimai "$f"
    assert_success
    got=$output
    [ -s "${f%.eml}.expected" ] || got=$(cut -d' ' -f1-2 <<< "$got")
    [ "$got" = "$expected" ] || fail "$(basename "$f"): Sisimai reads \"$got\", expected \"$expected\""
    n=$((n + 1))
  done
  [ "$n" -ge 7 ]
}

@test "flufl.bounce sorts each bounce's recipients as expected: hard as permanent, soft as temporary" {
  local f
  for f in "$D"/*.eml; do
    expected=$(sed -e 's/^\([^ ]*\) .* hard$/\1 permanent/' -e 's/^\([^ ]*\) .* soft$/\1 temporary/' "${f%.eml}.expected" | sort)
    [ -n "$expected" ] || expected="$(verp "$f") permanent"
    run "$FORUMGATE_SOURCE/tests/lib/bounce_peers.sh" flufl "$f"
    assert_success
    [ "$(sort <<< "$output")" = "$expected" ] || fail "$(basename "$f"): flufl.bounce reads \"$output\", expected \"$expected\""
  done
}
