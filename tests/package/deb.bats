#!/usr/bin/env bats
# The Debian package, built as an administrator would build it: the tree
# copied into a temporary directory (build products never land in the
# source tree), its build dependencies installed with apt-get build-dep,
# dpkg-buildpackage -us -uc -b, lintian. Then installed with apt-get on
# this machine, the demo's pipeline run on the installed programs in
# /usr/bin, removed, purged, and the machine compared with what it was.
#
# It changes the machine (a package, a system user), so it runs as root
# only, one at a time on a machine (a lock in /run/lock), and never where
# a forumgate package or user already exists.

load ../lib/common

LOCK=/run/lock/forumgate-package-test.lock
# Where a package leaves things; apt's and dpkg's own records excluded.
SYSTEM_DIRS=(/etc /usr /lib /var /run /opt /srv)

apt_quiet() {
  DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=600 "$@" < /dev/null
}

installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' forumgate 2>/dev/null)" = installed ]; }

# leftovers: what is named forumgate, or owned by its user, in SYSTEM_DIRS,
# with the statoverrides and the user and group entries.
leftovers() {
  find "${SYSTEM_DIRS[@]}" -xdev \( -path /var/lib/dpkg -o -path /var/lib/apt -o -path /var/cache \
    -o -path /var/log -o -path /var/tmp \) -prune -o -name '*forumgate*' -print 2>/dev/null | sort
  dpkg-statoverride --list | grep forumgate || true
  getent passwd forumgate || true
  getent group forumgate || true
}

# copy_tree DEST: the source tree as git sees it, tracked and new files,
# nothing ignored (build/ and the like), into DEST.
copy_tree() {
  (cd "$FORUMGATE_SOURCE" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    tar --null -T - -cf -) | tar -C "$1" -xf -
}

setup_file() {
  [ "$(id -u)" -eq 0 ] || skip "installs a package: needs root"
  local p
  for p in dpkg-buildpackage dh lintian git; do
    command -v "$p" > /dev/null || fail "$p is missing (scripts/deps package)"
  done
  exec {PKG_LOCK_FD}> "$LOCK"
  flock -w 3600 "$PKG_LOCK_FD" || fail "another run holds $LOCK"
  if installed || getent passwd forumgate > /dev/null || getent group forumgate > /dev/null; then
    skip "a forumgate package or user is on this machine already: it is not this test's to remove"
  fi
  PKG_DIR=$(mktemp -d "${BATS_TMPDIR:-/tmp}/forumgate-package.XXXXXX")
  chmod 755 "$PKG_DIR"
  export PKG_DIR
  leftovers > "$PKG_DIR/before"
  mkdir "$PKG_DIR/src"
  copy_tree "$PKG_DIR/src"
  (
    cd "$PKG_DIR/src" &&
      apt_quiet build-dep ./ &&
      DEB_BUILD_OPTIONS="parallel=$(nproc) noautodbgsym" dpkg-buildpackage -us -uc -b
  ) > "$PKG_DIR/build.log" 2>&1 || { tail -40 "$PKG_DIR/build.log" >&3; fail "the package did not build"; }
}

teardown_file() {
  [ -n "${PKG_DIR:-}" ] || return 0
  # A test that failed half way leaves nothing installed.
  if installed || [ "$(dpkg-query -W -f='${db:Status-Status}' forumgate 2>/dev/null)" = config-files ]; then
    apt_quiet purge forumgate > /dev/null 2>&1 || true
  fi
  rm -rf /var/spool/forumgate
  getent passwd forumgate > /dev/null && deluser --system --quiet forumgate
  getent group forumgate > /dev/null && delgroup --system --quiet forumgate
  rm -rf "$PKG_DIR"
}

setup() { common_setup; }
teardown() { common_teardown; }

programs() { make -s -C "$PKG_DIR/src" -f Makefile.install programs; }

@test "one package, forumgate_*.deb, and lintian finds no error and no warning" {
  run bash -c "ls $PKG_DIR/*.deb"
  assert_output "$PKG_DIR/forumgate_$(dpkg-parsechangelog -l "$PKG_DIR/src/debian/changelog" -S Version)_$(dpkg --print-architecture).deb"
  run lintian --fail-on error,warning --display-level '>=warning' "$PKG_DIR"/forumgate_*.changes
  echo "$output" >&3
  assert_success
  refute_line --regexp '^[EW]: '
}

@test "installed: programs, pages, completions, schema, examples, user, queue, conffile, units, cron" {
  run apt_quiet install "$PKG_DIR"/forumgate_*.deb
  assert_success
  local p
  for p in $(programs); do
    [ -x "/usr/bin/$p" ] || fail "/usr/bin/$p is missing"
    run "/usr/bin/$p" --version
    assert_success
    assert_output --partial "$p (forumgate) "
    [ -f "/usr/share/man/man1/$p.1.gz" ] || fail "$p.1 is missing"
    [ -f "/usr/share/bash-completion/completions/$p" ] || fail "$p: no bash completion"
    [ -f "/usr/share/zsh/site-functions/_$p" ] || fail "$p: no zsh completion"
    [ -f "/usr/share/fish/vendor_completions.d/$p.fish" ] || fail "$p: no fish completion"
  done
  [ "$(programs | wc -w)" -ge 5 ]
  [ -f /usr/share/man/man7/forumgate.7.gz ]
  cmp /usr/share/forumgate/wagora.sql "$FORUMGATE_SOURCE/share/forumgate/wagora.sql"
  local examples=/usr/share/doc/forumgate/examples
  diff -r "$FORUMGATE_SOURCE/examples" "$examples"

  # The user, its queue, the conffile only its group reads.
  run getent passwd forumgate
  assert_success
  IFS=: read -r _ _ uid _ _ home shell <<< "$output"
  [ "$uid" -lt 1000 ] || fail "forumgate is not a system user (uid $uid)"
  assert_equal "$home" /nonexistent
  assert_equal "$shell" /usr/sbin/nologin
  getent group forumgate > /dev/null
  local d
  for d in /var/spool/forumgate /var/spool/forumgate/new /var/spool/forumgate/cur /var/spool/forumgate/tmp; do
    assert_equal "$(stat -c '%a %U:%G' "$d")" "700 forumgate:forumgate"
  done
  assert_equal "$(stat -c '%a %U:%G' /etc/forumgate.conf)" "640 root:forumgate"
  run dpkg-query -W -f='${Conffiles}' forumgate
  assert_output --partial /etc/forumgate.conf
  assert_output --partial /etc/cron.d/forumgate
  # Commented defaults only, each the long option of its section's program.
  run grep -Ev '^(#|\[|$)' /etc/forumgate.conf
  assert_failure
  local section='' key n=0
  while IFS= read -r line; do
    case $line in
      '['*']') section=${line#[} section=${section%]} ;;
      '# '[a-z]*' ='*)
        key=${line#'# '} key=${key%% =*}
        /usr/bin/"$section" --help | grep -q -- "--$key\b" || fail "[$section] $key: $section has no --$key"
        n=$((n + 1))
        ;;
    esac
  done < /etc/forumgate.conf
  [ "$n" -ge 10 ] || fail "only $n keys in /etc/forumgate.conf"

  # The units: the package's paths and user, neither enabled nor started.
  local u
  for u in forumgate.service forumgate.path forumgate.timer; do
    [ -f "/lib/systemd/system/$u" ] || fail "$u is missing"
    ! grep -q /usr/local "/lib/systemd/system/$u" || fail "$u names /usr/local"
    run deb-systemd-helper was-enabled "$u"
    assert_failure
    [ -z "$(find /etc/systemd/system -name "$u")" ] || fail "$u is enabled"
  done
  grep -qx 'User=forumgate' /lib/systemd/system/forumgate.service
  grep -q '^ExecStart=/usr/bin/lockrun ' /lib/systemd/system/forumgate.service
  grep -qx 'PathModified=/var/mail/forumgate' /lib/systemd/system/forumgate.path
  if command -v systemd-analyze > /dev/null; then
    run systemd-analyze verify /lib/systemd/system/forumgate.service /lib/systemd/system/forumgate.path \
      /lib/systemd/system/forumgate.timer
    assert_success
  fi
  # The cron file: the recipe, its line commented out.
  run grep -Ev '^(#|$|PATH=)' /etc/cron.d/forumgate
  assert_failure
  grep -q '^# \* \* \* \* \* forumgate spoolcheck -q /var/mail/forumgate /var/spool/forumgate/ && ' /etc/cron.d/forumgate
  grep -qx 'PATH=/usr/bin:/bin' /etc/cron.d/forumgate
}

@test "the demo's pipeline on the installed programs; what forumgate runs as may use its queue" {
  installed || fail "not installed"
  # Only /usr/bin has the programs: the copy has no build/, and PATH no
  # other forumgate directory.
  run env -i LANG=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin FORUMGATE_BIN=/usr/bin "$PKG_DIR/src/scripts/demo"
  assert_success
  assert_output --partial "forumpost: queue: 11 taken, 6 posted, 0 duplicates, 2 ignored, 1 subscriptions, 2 refused, 0 deferred"
  assert_line --regexp '^#1 Problème de montage NFS -- amelie, '
  assert_line --regexp '^    #3 Re: Problème de montage NFS -- Carol \(guest\), '
  assert_line --regexp '^#1 Scheduler patches for review -- amelie, '
  assert_line "Subscribers: amelie@example.org to linux"
  assert_line --partial "Attachments: fstab.pdf on post 5"
  # The user the units and the cron line name owns the queue: mailsplit
  # and spoolcheck accept it, and the conffile is theirs to read.
  mkdir spool
  printf 'From a@example.org Tue Nov 24 09:00:00 2026\nFrom: a@example.org\nSubject: one\n\nOne.\n\n' > spool/forumgate
  chown -R forumgate:forumgate spool
  run setpriv --reuid=forumgate --regid=forumgate --init-groups -- /usr/bin/mailsplit --drain "$T/spool/forumgate" /var/spool/forumgate/
  assert_success
  [ "$(find /var/spool/forumgate/new -type f | wc -l)" = 1 ]
  run setpriv --reuid=forumgate --regid=forumgate --init-groups -- /usr/bin/spoolcheck -q /var/spool/forumgate/
  assert_success
  setpriv --reuid=forumgate --regid=forumgate --init-groups -- cat /etc/forumgate.conf > /dev/null
  run setpriv --reuid=nobody --regid=nogroup --clear-groups -- cat /etc/forumgate.conf
  assert_failure
}

@test "removed: the user, the queue and the conffiles stay; purged: mail never posted stays with its user" {
  installed || fail "not installed"
  run apt_quiet remove forumgate
  assert_success
  [ ! -e /usr/bin/forumpost ]
  getent passwd forumgate > /dev/null
  [ -f /etc/forumgate.conf ] && [ -f /etc/cron.d/forumgate ]
  [ "$(find /var/spool/forumgate/new -type f | wc -l)" = 1 ]
  # The message of the test before was never posted: purge keeps it.
  run apt_quiet purge forumgate
  assert_success
  assert_output --partial "/var/spool/forumgate holds mail never posted; it is kept, and so is the user forumgate"
  [ "$(find /var/spool/forumgate/new -type f | wc -l)" = 1 ]
  getent passwd forumgate > /dev/null
  [ ! -e /etc/forumgate.conf ] && [ ! -e /etc/cron.d/forumgate ]
  # Posted, it goes: installed again, the message moved into cur/ as
  # forumpost moves what it posted, a UID record beside it, and purged.
  run apt_quiet install "$PKG_DIR"/forumgate_*.deb
  assert_success
  local f
  f=$(find /var/spool/forumgate/new -type f)
  setpriv --reuid=forumgate --regid=forumgate --init-groups -- mv "$f" /var/spool/forumgate/cur/
  setpriv --reuid=forumgate --regid=forumgate --init-groups -- touch /var/spool/forumgate/mailsplit-uids.pop3s%3A
  run apt_quiet purge forumgate
  assert_success
  refute_output --partial "holds mail never posted"
  # Nothing left that the machine did not have before.
  leftovers > after
  run diff "$PKG_DIR/before" after
  assert_success
  [ ! -e /var/spool/forumgate ]
  case $(dpkg-query -W -f='${db:Status-Status}' forumgate 2> /dev/null) in
    '' | not-installed) ;;
    *) fail "dpkg still knows forumgate: $(dpkg-query -W -f='${db:Status-Status}' forumgate)" ;;
  esac
}
