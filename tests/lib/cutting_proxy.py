#!/usr/bin/env python3
"""A TCP proxy for tests that breaks a mail session at a chosen command.

    cutting_proxy.py PORT_FILE TARGET_PORT PATTERN MODE MARKER

Listens on 127.0.0.1 (a free port, written to PORT_FILE once listening) and
relays each connection to 127.0.0.1:TARGET_PORT. The first line the client
sends that matches the regular expression PATTERN is not relayed; instead
MARKER is created and, by MODE:

    cut   both connections are closed at once: the server never sees the
          command, the client sees the connection drop;
    hold  nothing more is relayed and nothing closed: the client waits, for
          the test to kill it.

Lines before it, and everything the server sends, pass unchanged. Only
the first match breaks a session: later connections are relayed whole, so
that a test's next run can go through the same address (a mailbox is named
by its host and port).
"""

import os
import re
import socket
import sys
import threading
import time


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


hit = threading.Event()


def client_side(client, server, pattern, mode, marker):
    buf = b""
    try:
        while True:
            data = client.recv(65536)
            if not data:
                break
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if not hit.is_set() and pattern.search(line.decode("latin-1")):
                    hit.set()
                    open(marker, "w").close()
                    if mode == "cut":
                        for s in (client, server):
                            s.close()
                        return
                    while True:  # hold: the test kills the client
                        time.sleep(3600)
                server.sendall(line + b"\n")
    except OSError:
        pass
    pump_done(client, server)


def pump_done(client, server):
    for s in (client, server):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def main():
    port_file, target, pattern, mode, marker = sys.argv[1:6]
    pattern = re.compile(pattern)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % listener.getsockname()[1])
    os.rename(tmp, port_file)
    while True:
        client, _ = listener.accept()
        server = socket.create_connection(("127.0.0.1", int(target)))
        threading.Thread(target=pump, args=(server, client), daemon=True).start()
        threading.Thread(target=client_side, args=(client, server, pattern, mode, marker),
                         daemon=True).start()


if __name__ == "__main__":
    main()
