#!/bin/sh
# bounce_peers.sh sisimai|flufl FILE: what a peer bounce reader finds in the
# bounce FILE, one line per recipient: "address action status" (Sisimai,
# libsisimai-perl) or "address permanent|temporary" (flufl.bounce, Debian's
# python3-flufl.bounce: Debian's own python3, whatever python3 comes first).
case $1 in
  sisimai)
    perl -MSisimai -e 'my $v = Sisimai->make($ARGV[0], delivered => 1) || [];
      printf "%s %s %s\n", lc $_->recipient->address, $_->action, $_->deliverystatus for @$v' "$2" ;;
  flufl)
    /usr/bin/python3 -c '
import email, sys
from flufl.bounce import all_failures
temporary, permanent = all_failures(email.message_from_binary_file(open(sys.argv[1], "rb")))
text = lambda a: (a.decode() if isinstance(a, bytes) else a).lower()
for a in sorted(map(text, permanent)): print(a, "permanent")
for a in sorted(map(text, temporary)): print(a, "temporary")
' "$2" ;;
  *) echo "bounce_peers.sh: sisimai or flufl" >&2; exit 64 ;;
esac
