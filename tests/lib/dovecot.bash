# A private Dovecot POP3 and IMAP server for tests: its own config, base_dir,
# state_dir and log under DIR, a POP3 and an IMAP listener on 127.0.0.1,
# each on a free port, a passwd-file with one user, started with
# `dovecot -c` and stopped by the master's pid. Needs root (Dovecot drops to its own users); the
# mail user is nobody (65534), since Dovecot refuses uid 0 for mail.
#
#   dovecot_start DIR USER PASSWORD   DC_DIR, DC_PORT (POP3), DC_IMAP_PORT, DC_LOG, DC_MAILDIR set
#     With DC_TLS=1 in the environment: TLS too, with a certificate for
#     127.0.0.1 from a private CA (DC_CA, PEM), pop3s on DC_POP3S_PORT and
#     imaps on DC_IMAPS_PORT, and no login in the clear (STARTTLS first).
#   dovecot_deliver FILE...           put each FILE into the user's Maildir/new, in order
#   dovecot_netrc FILE [PASSWORD]     write a netrc for the user (0600)
#   dovecot_master_pid                the master's pid
#   dovecot_stop

dovecot_start_once() {
  DC_DIR=$1/dovecot
  DC_USER=$2
  DC_LOG=$DC_DIR/log
  DC_PORT=$(free_port) || { echo "no free port" >&2; return 1; }
  DC_IMAP_PORT=$(free_port) || { echo "no free port" >&2; return 1; }
  [ "$DC_IMAP_PORT" != "$DC_PORT" ] || DC_IMAP_PORT=$(free_port) || return 1
  mkdir -p "$DC_DIR/base" "$DC_DIR/state" "$DC_DIR/home/$DC_USER/Maildir/"{new,cur,tmp}
  DC_MAILDIR=$DC_DIR/home/$DC_USER/Maildir
  chown -R 65534:65534 "$DC_DIR/home"
  chmod 755 "$DC_DIR" "$DC_DIR/home"
  local ssl="ssl = no" plaintext=no
  DC_POP3S_PORT=0 DC_IMAPS_PORT=0
  if [ "${DC_TLS:-}" = 1 ]; then
    dovecot_certificates "$DC_DIR/tls" || return 1
    DC_CA=$DC_DIR/tls/ca.pem
    DC_POP3S_PORT=$(free_port) && DC_IMAPS_PORT=$(free_port) || { echo "no free port" >&2; return 1; }
    ssl="ssl = required
ssl_cert = <$DC_DIR/tls/server.pem
ssl_key = <$DC_DIR/tls/server.key"
    plaintext=yes
  fi
  printf '%s:{PLAIN}%s\n' "$DC_USER" "$3" > "$DC_DIR/passwd"
  chmod 644 "$DC_DIR/passwd"
  cat > "$DC_DIR/dovecot.conf" <<CF
base_dir = $DC_DIR/base
state_dir = $DC_DIR/state
log_path = $DC_LOG
info_log_path = $DC_LOG
protocols = pop3 imap
listen = 127.0.0.1
$ssl
disable_plaintext_auth = $plaintext
auth_mechanisms = plain
mail_location = maildir:~/Maildir
first_valid_uid = 65534
last_valid_uid = 65534
first_valid_gid = 65534
pop3_uidl_format = %08Xu%08Xv
service pop3-login {
  inet_listener pop3 {
    port = $DC_PORT
  }
  inet_listener pop3s {
    port = $DC_POP3S_PORT
  }
}
service imap-login {
  inet_listener imap {
    port = $DC_IMAP_PORT
  }
  inet_listener imaps {
    port = $DC_IMAPS_PORT
  }
}
service submission-login {
  inet_listener submission {
    port = 0
  }
}
service lmtp {
  unix_listener lmtp {
    mode = 0600
  }
}
passdb {
  driver = passwd-file
  args = $DC_DIR/passwd
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=$DC_DIR/home/%u
}
CF
  dovecot_run
}

# dovecot_run: start the master on the config written, and wait (up to two
# minutes: a loaded machine) until every listener is there. 1 when a
# listener's port was taken meanwhile, 2 on any other failure.
dovecot_run() {
  /usr/sbin/dovecot -c "$DC_DIR/dovecot.conf" 2>> "$DC_DIR/start.log" || {
    grep -q 'Address already in use' "$DC_DIR/start.log" "$DC_LOG" 2>/dev/null && return 1
    echo "dovecot did not start" >&2
    cat "$DC_DIR/start.log" "$DC_LOG" >&2
    return 2
  }
  local i port
  for ((i = 0; i < 1200; i++)); do
    local up=1
    for port in "$DC_PORT" "$DC_IMAP_PORT" "$DC_POP3S_PORT" "$DC_IMAPS_PORT"; do
      [ "$port" = 0 ] || ss -Htln "sport = :$port" | grep -q . || up=0
    done
    [ -s "$DC_DIR/base/master.pid" ] && [ "$up" = 1 ] && return 0
    # The master gone: a listener could not bind.
    [ -s "$DC_DIR/base/master.pid" ] && ! kill -0 "$(dovecot_master_pid)" 2>/dev/null && break
    sleep 0.1
  done
  grep -q 'Address already in use' "$DC_LOG" 2>/dev/null && { dovecot_stop; return 1; }
  echo "dovecot is not listening on $DC_PORT and $DC_IMAP_PORT" >&2
  cat "$DC_LOG" >&2
  dovecot_stop
  return 2
}

dovecot_start() {
  local try rc
  for ((try = 1; try <= 5; try++)); do
    rc=0
    dovecot_start_once "$@" || rc=$?
    [ "$rc" = 1 ] || return "$rc"
    : > "$DC_LOG"
  done
  echo "dovecot: no free ports after 5 tries" >&2
  return 1
}

# dovecot_restart: the master started again (after it was killed) on the
# same config and ports.
dovecot_restart() {
  rm -f "$DC_DIR/base/master.pid"
  dovecot_run
}

# dovecot_certificates DIR: ca.pem, a private CA's certificate, and
# server.pem and server.key, a certificate it signed for 127.0.0.1.
dovecot_certificates() {
  mkdir -p "$1" && (
    cd "$1" &&
      openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=forumgate-test-CA \
        -keyout ca.key -out ca.pem &&
      openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server.key -out server.csr &&
      printf 'subjectAltName = IP:127.0.0.1\n' > ext &&
      openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
        -extfile ext -out server.pem
  ) > "$1/openssl.log" 2>&1 || { echo "openssl could not make the certificates" >&2; cat "$1/openssl.log" >&2; return 1; }
}

dovecot_master_pid() { tr -d ' \n' < "$DC_DIR/base/master.pid"; }

# Each file as one message, in order (distinct mtimes and names sort as given).
dovecot_deliver() {
  local f n=0 base=$(( $(date +%s) - 100000 ))
  for f in "$@"; do
    n=$((n + 1))
    local name=$((base + n)).M${n}P$$R$RANDOM.test  # unique across calls
    cp "$f" "$DC_MAILDIR/tmp/$name"
    chown 65534:65534 "$DC_MAILDIR/tmp/$name"
    touch -d "@$((base + n))" "$DC_MAILDIR/tmp/$name"
    mv "$DC_MAILDIR/tmp/$name" "$DC_MAILDIR/new/$name"
  done
}

dovecot_netrc() {
  printf 'machine 127.0.0.1 login %s password %s\n' "$DC_USER" "${2:-}" > "$1"
  chmod 600 "$1"
}

# How many messages the user's Maildir holds.
dovecot_count() { find "$DC_MAILDIR/new" "$DC_MAILDIR/cur" -type f | wc -l; }

dovecot_stop() {
  [ -n "${DC_DIR:-}" ] || return 0
  local pid
  pid=$(dovecot_master_pid 2>/dev/null) || return 0
  [ -n "$pid" ] || return 0
  stop_pid "$pid"
}

# dovecot_folder NAME: a Maildir++ folder .NAME of the user (IMAP mailbox NAME).
dovecot_folder() {
  mkdir -p "$DC_MAILDIR/.$1/"{new,cur,tmp}
  chown -R 65534:65534 "$DC_MAILDIR/.$1"
}

# The Maildir flags of the user's messages (maildir(5) info after ":2,"),
# one line per message in cur/; messages in new/ have none.
dovecot_flags() { ls "$DC_MAILDIR/cur" | sed -n 's/.*:2,//p'; }

# cutting_proxy TARGET_PORT PATTERN cut|hold: a proxy to the server that
# breaks the session at the first client line matching PATTERN (see
# cutting_proxy.py); sets PROXY_PORT, and PROXY_HIT, the file it creates then.
cutting_proxy() {
  PROXY_HIT=$T/proxy-hit
  rm -f "$T/proxy-port" "$PROXY_HIT"
  bg python3 "$FORUMGATE_SOURCE/tests/lib/cutting_proxy.py" "$T/proxy-port" "$1" "$2" "$3" "$PROXY_HIT"
  wait_for_file "$T/proxy-port" || return 1
  PROXY_PORT=$(cat "$T/proxy-port")
}
