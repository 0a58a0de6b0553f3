#!/usr/bin/env bats
# Each tool's options are defined once (its CLI11 definitions, shown by
# --help); the man page and the bash, zsh and fish completions must list
# exactly those. The install puts man pages and completions where man and
# the shells find them.

load ../lib/common
load ../lib/options

setup() { common_setup; }
teardown() { common_teardown; }

@test "the option lists of --help, man page and completions agree" {
  local t where
  for t in $(tools); do
    help_options "$t" > help
    [ "$(wc -l < help)" -ge 6 ] || fail "$t --help lists too few options"
    grep -E '^--' help > help-long
    for where in man bash zsh fish; do
      "${where}_options" "$t" > "$where"
      expected=help
      [ "$where" = bash ] && expected=help-long
      run diff -u "$expected" "$where"
      [ "$status" -eq 0 ] || fail "$t: $where disagrees with --help (- only in --help, + only in $where):
$output"
    done
    bash_value_options "$t" > bash-values
    [ -s bash-values ] || fail "$t: no options found in the bash completion's case patterns"
    run comm -13 help bash-values
    [ -z "$output" ] || fail "$t: bash completion knows options --help does not: $output"
  done
}

@test "the drift check itself sees a missing and an extra option" {
  sed '/Fl \\-stale/d' "$FORUMGATE_SOURCE/man/lockrun.1" > lockrun.1
  FORUMGATE_SOURCE_SAVED=$FORUMGATE_SOURCE
  mkdir -p src/man && cp lockrun.1 src/man/
  FORUMGATE_SOURCE=$T/src run man_options lockrun
  FORUMGATE_SOURCE=$FORUMGATE_SOURCE_SAVED
  refute_line -- "--stale"
  assert_line -- "--wait"
  run help_options lockrun
  assert_line -- "--stale"
  assert_line -- "-s"
}

@test "every tool has a man page, completions for three shells and a bats suite" {
  local t
  for t in $(tools); do
    assert_file_exists "$FORUMGATE_SOURCE/man/$t.1"
    assert_file_exists "$FORUMGATE_SOURCE/completions/bash/$t"
    assert_file_exists "$FORUMGATE_SOURCE/completions/zsh/_$t"
    assert_file_exists "$FORUMGATE_SOURCE/completions/fish/$t.fish"
    assert_file_exists "$FORUMGATE_SOURCE/tests/bats/$t.bats"
  done
}

@test "man pages are clean under mandoc -Tlint" {
  local m
  for m in "$FORUMGATE_SOURCE"/man/*.[1-8]; do
    run mandoc -Tlint -W warning "$m"
    [ "$status" -eq 0 ] && [ -z "$output" ] || fail "$m: $output"
  done
}

@test "completion scripts parse in their shells" {
  local t
  for t in $(tools); do
    run bash -n "$FORUMGATE_SOURCE/completions/bash/$t"
    assert_success
    run zsh -n "$FORUMGATE_SOURCE/completions/zsh/_$t"
    assert_success
    run fish --no-execute "$FORUMGATE_SOURCE/completions/fish/$t.fish"
    assert_success
  done
}

install_stage() {
  make -s -C "$FORUMGATE_SOURCE" -f Makefile.install install \
    BUILDDIR="$(dirname "$FORUMGATE_BIN")" DESTDIR="$T/stage" PREFIX=/usr/local >/dev/null
  SHARE=$T/stage/usr/local/share
}

@test "install: binaries, man pages where man finds them; uninstall removes them" {
  install_stage
  assert_file_executable "$T/stage/usr/local/bin/lockrun"
  run man -M "$SHARE/man" -P cat lockrun
  assert_success
  assert_output --partial "run a command while holding a lock"
  run man -M "$SHARE/man" -P cat 7 forumgate
  assert_output --partial "move incoming mail"
  assert_file_executable "$T/stage/usr/local/bin/forumnotify"
  run man -M "$SHARE/man" -P cat forumnotify
  assert_output --partial "send a forum's new posts to its subscribers"
  assert_file_exists "$SHARE/forumgate/upgrade-notify.sql"
  assert_file_exists "$SHARE/doc/forumgate/examples/cron/forumnotify.cron"
  make -s -C "$FORUMGATE_SOURCE" -f Makefile.install uninstall \
    DESTDIR="$T/stage" PREFIX=/usr/local
  run find "$T/stage" -type f
  assert_output ""
}

@test "install: bash completes lockrun's options, kinds and the command" {
  install_stage
  complete_bash() {
    XDG_DATA_DIRS=$SHARE bash --norc -c '
      source /usr/share/bash-completion/bash_completion
      _completion_loader lockrun
      COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
      COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
      _lockrun lockrun "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
      printf "%s\n" "${COMPREPLY[@]}"' bash "$@"
  }
  run complete_bash lockrun --ki
  assert_output "--kind"
  run complete_bash lockrun -k ""
  assert_output "$(printf 'flock\nfcntl\ndotlock')"
  run complete_bash lockrun /tmp/x.lock -- lockru
  assert_line "lockrun"
  run complete_bash lockrun --mailbox /var/mail/x lockru
  assert_line "lockrun"
}

@test "install: zsh and fish find the completions" {
  install_stage
  run zsh -fc "fpath=($SHARE/zsh/site-functions \$fpath); autoload -Uz compinit; compinit -u -D; print -r -- \$_comps[lockrun]"
  assert_output "_lockrun"
  # fish builds its completion path from XDG_DATA_DIRS in its own startup
  # files, so not --no-config; an empty HOME keeps a user's config out.
  mkdir home
  run env HOME="$T/home" XDG_DATA_DIRS="$SHARE" fish -c 'complete -C "lockrun --ki"'
  assert_output --partial "--kind"
  run env HOME="$T/home" XDG_DATA_DIRS="$SHARE" fish -c 'complete -C "lockrun -k "'
  assert_line --partial "dotlock"
}

@test "forumgate(7) shows the shipped examples line for line" {
  local f line
  mandoc -Tascii "$FORUMGATE_SOURCE/man/forumgate.7" | col -bx | sed 's/^ *//' > page
  for f in postfix/aliases postfix/master.cf postfix/main.cf postfix/transport postfix/policy.master.cf \
    postfix/policy.main.cf procmail/procmailrc \
    maildrop/mailfilter qmail/.qmail-forum-default cron/forumgate.cron systemd/forumgate.service \
    hosted/forumgate-hosted.cron hosted/forumgate-hosted.service cron/forumnotify.cron systemd/forumnotify.service; do
    while IFS= read -r line; do
      case $line in '' | '#'*) continue ;; esac
      line=${line#"${line%%[! ]*}"}
      grep -qxF -- "$line" page || fail "examples/$f: not in forumgate(7): $line"
    done < "$FORUMGATE_SOURCE/examples/$f"
  done
}
