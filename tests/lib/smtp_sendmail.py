#!/usr/bin/env python3
"""smtp_sendmail.py PORT [-t] [-i] [-f SENDER] [--] [RECIPIENT...]: sendmail(1)'s
interface over SMTP to 127.0.0.1:PORT, for programs run as a user whom a
private Postfix's own sendmail refuses (its -C directory is root's only).
-t takes the recipients from To, Cc and Bcc. Exits 0 when the server
accepted the message, 75 when it could not be reached or deferred it."""
import email
import email.policy
import smtplib
import sys
from email.utils import getaddresses

args = sys.argv[1:]
port = int(args.pop(0))
sender, from_header, recipients = None, False, []
while args:
    a = args.pop(0)
    if a == "-t":
        from_header = True
    elif a == "-i":
        pass
    elif a == "-f":
        sender = args.pop(0)
    elif a == "--":
        recipients += args
        break
    else:
        recipients.append(a)
data = sys.stdin.buffer.read()
msg = email.message_from_bytes(data, policy=email.policy.compat32)
if from_header:
    recipients += [a for _, a in getaddresses(msg.get_all("To", []) + msg.get_all("Cc", []) + msg.get_all("Bcc", []))]
if sender is None:
    sender = getaddresses(msg.get_all("From", []))[0][1] if msg.get_all("From") else ""
try:
    with smtplib.SMTP("127.0.0.1", port) as s:
        s.sendmail(sender, recipients, data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
except (OSError, smtplib.SMTPException) as e:
    print("smtp_sendmail.py: %s" % e, file=sys.stderr)
    sys.exit(75)
