# A private Postfix instance for tests: its own config directory, queue and
# alias map under DIR, no network listener, started with `postfix -c` and
# stopped by the master's pid. Needs root (Postfix's queue permissions).
#
#   postfix_start DIR     PF_DIR, PF_LOG set; aliases from $DIR/aliases.in,
#                         and $DIR/main.cf.in, $DIR/master.cf.in (when they
#                         exist) added to main.cf and master.cf
#   postfix_flush         deliver the deferred mail now (postqueue -f)
#   postfix_send ARGS...  sendmail -C $PF_DIR ARGS... (message on stdin)
#   postfix_wait_sent N   until N deliveries are logged as sent
#   postfix_listen DIR    before postfix_start: an SMTP listener on a
#                         loopback port free at that moment (PF_SMTP_PORT),
#                         added to $DIR/master.cf.in
#   postfix_stop

postfix_start() {
  PF_DIR=$1/postfix
  PF_LOG=$PF_DIR/maillog
  mkdir -p "$PF_DIR/queue" "$PF_DIR/data"
  cat > "$PF_DIR/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $PF_DIR/queue
data_directory = $PF_DIR/data
mail_owner = postfix
setgid_group = postdrop
myhostname = localhost.localdomain
mydomain = localdomain
myorigin = localhost.localdomain
mydestination = localhost, localhost.localdomain
inet_interfaces = loopback-only
alias_maps = hash:$PF_DIR/aliases
alias_database = hash:$PF_DIR/aliases
maillog_file = $PF_LOG
maillog_file_prefixes = $PF_DIR
mailbox_delivery_lock = fcntl, dotlock
default_privs = nobody
allow_mail_to_files = alias
CF
  # Every service of Debian's master.cf but the SMTP listener.
  grep -v '^smtp *inet' /etc/postfix/master.cf > "$PF_DIR/master.cf"
  [ -e "$1/main.cf.in" ] && cat "$1/main.cf.in" >> "$PF_DIR/main.cf"
  [ -e "$1/master.cf.in" ] && cat "$1/master.cf.in" >> "$PF_DIR/master.cf"
  cp "$1/aliases.in" "$PF_DIR/aliases"
  postalias "$PF_DIR/aliases"
  postfix -c "$PF_DIR" set-permissions create-missing >/dev/null 2>&1
  postfix -c "$PF_DIR" start >/dev/null 2>&1 || { echo "postfix did not start" >&2; return 1; }
  local i
  for ((i = 0; i < 1200; i++)); do
    [ -s "$PF_DIR/queue/pid/master.pid" ] && return 0
    sleep 0.1
  done
  echo "postfix master wrote no pid" >&2
  return 1
}

postfix_listen() {
  PF_SMTP_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  printf '127.0.0.1:%s inet n - y - - smtpd\n' "$PF_SMTP_PORT" >> "$1/master.cf.in"
}

# After postfix_start with postfix_listen: until the listener answers (the
# port may have been taken between choosing and binding it).
postfix_wait_listening() {
  local i
  for ((i = 0; i < 100; i++)); do
    python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).recv(1)' \
      "$PF_SMTP_PORT" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing answers on 127.0.0.1:$PF_SMTP_PORT; the log ends:" >&2
  tail -5 "$PF_LOG" >&2
  return 1
}

postfix_send() { sendmail -C "$PF_DIR" "$@"; }

postfix_flush() { postqueue -c "$PF_DIR" -f; }

postfix_wait_sent() {
  # Given up only after two minutes without a new delivery.
  local i sent last=-1
  for ((i = 0; i < 1200; i++)); do
    sent=$(grep -c 'status=sent' "$PF_LOG" 2>/dev/null) || sent=${sent:-0}
    [ "$sent" -ge "$1" ] && return 0
    [ "$sent" -gt "$last" ] && { last=$sent; i=0; }
    sleep 0.1
  done
  echo "only $sent of $1 deliveries logged; the log ends:" >&2
  grep -v "smtp\[" "$PF_LOG" | grep -v postfix-script | tail -8 >&2
  return 1
}

postfix_stop() {
  local pid
  [ -n "${PF_DIR:-}" ] || return 0
  pid=$(tr -d ' ' < "$PF_DIR/queue/pid/master.pid" 2>/dev/null) || return 0
  [ -n "$pid" ] || return 0
  stop_pid "$pid"
}
