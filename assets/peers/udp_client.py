#!/usr/bin/env python3
# udp_client.py: the Python socket tutorial's UDP client, made scriptable.
#
#   python3 udp_client.py PORT [HOST]     (or HOST PORT; host 127.0.0.1)
#
# Like the tutorial's program: socket(SOCK_DGRAM), sendto(data, addr), then recv(1024) the
# answer and print it.  The tutorial's client sends b'hello' once; here each stdin line
# is one datagram (with its newline), each followed by recv(1024) of the
# answer, written to stdout unchanged.  An answer that does not come within
# 5 s is a TimeoutError (exit 1).  Stdin EOF: close, exit 0.
import socket
import sys


def address():
    args = sys.argv[1:]
    if len(args) >= 2 and not args[0].isdigit():
        args = [args[1], args[0]]
    port = int(args[0]) if args else 8888
    host = args[1] if len(args) > 1 else '127.0.0.1'
    return host, port


host, port = address()
family = socket.AF_INET6 if ':' in host else socket.AF_INET
out = sys.stdout.buffer

client = socket.socket(family, socket.SOCK_DGRAM)
client.settimeout(5)

for line in sys.stdin.buffer:  # instead of b'hello'
    client.sendto(line, (host, port))
    # receive the answer
    data = client.recv(1024)
    out.write(data)
    out.flush()

client.close()
