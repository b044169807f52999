#!/usr/bin/env python3
# tcp_client.py: the Python socket tutorial's TCP client (tcp.client.py), made scriptable.
#
#   python3 tcp_client.py PORT [HOST]     (or HOST PORT; host 127.0.0.1)
#
# Like the tutorial's program: socket -> connect, then loop: send, recv(1024).  The tutorial's
# client sends '你好' forever; here each stdin line is sent instead (unchanged,
# with its newline) and the answer to it is read with recv(1024).  What
# arrives goes to stdout as bytes.  At stdin EOF: shutdown(SHUT_WR), read
# until the server closes, close, exit 0.
import socket
import sys


def address():
    args = sys.argv[1:]
    if len(args) >= 2 and not args[0].isdigit():
        args = [args[1], args[0]]
    port = int(args[0]) if args else 8080
    host = args[1] if len(args) > 1 else '127.0.0.1'
    return host, port


host, port = address()
family = socket.AF_INET6 if ':' in host else socket.AF_INET
out = sys.stdout.buffer

# AF_INET: IPv4, SOCK_STREAM: TCP
client = socket.socket(family, socket.SOCK_STREAM)
addr = (host, port)
# the address must be the one the server bound
client.connect(addr)

closed = False
for line in sys.stdin.buffer:  # instead of '你好'.encode('utf-8')
    client.send(line)
    data = client.recv(1024)
    if not data:
        closed = True
        break
    out.write(data)
    out.flush()

if not closed:
    client.shutdown(socket.SHUT_WR)
    while True:
        data = client.recv(1024)
        if not data:
            break
        out.write(data)
        out.flush()

client.close()
