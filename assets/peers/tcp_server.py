#!/usr/bin/env python3
# tcp_server.py: the Python socket tutorial's TCP server (tcp.server.py), made scriptable.
#
#   python3 tcp_server.py PORT [HOST]     (or HOST PORT; host 127.0.0.1)
#
# Like the tutorial's program: socket -> bind -> listen -> accept one client, then loop:
# recv(1024) what the client sent, answer with one line.  For scripts:
# - port 0 picks a free port; the first stdout line is always the bound port;
# - what arrives is written to stdout unchanged (bytes, not decoded);
# - each answer is the next line of stdin instead of input('input:');
# - at stdin EOF it sends nothing more: shutdown(SHUT_WR), keeps receiving
#   until the client closes, then closes cleanly (exit 0).
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
server = socket.socket(family, socket.SOCK_STREAM)
addr = (host, port)
server.bind(addr)
server.listen()
print(server.getsockname()[1], flush=True)  # instead of '等待连接。。。'

# accept blocks until a client connects
sock, caddr = server.accept()
print(caddr, file=sys.stderr, flush=True)

sending = True
while True:
    data = sock.recv(1024)
    if not data:  # the client closed (or shut down) its side
        break
    out.write(data)
    out.flush()
    if sending:
        info = sys.stdin.buffer.readline()  # instead of input('input:')
        if info:
            sock.send(info)
        else:
            sock.shutdown(socket.SHUT_WR)
            sending = False

sock.close()
server.close()
