#!/usr/bin/env python3
# udp_server.py: the Python socket tutorial's UDP server (udp-server.py), made scriptable.
#
#   python3 udp_server.py PORT [HOST]     (or HOST PORT; host 127.0.0.1)
#
# Like the tutorial's program: socket(SOCK_DGRAM) -> bind, then recvfrom(1024) and sendto
# the answer back to whoever sent.  For scripts: port 0 picks a free port
# and the first stdout line is always the bound port; each datagram goes to
# stdout unchanged; the answer to it is the next stdin line (instead of
# input('input:')), sent to that datagram's sender.  Stdin EOF: close, exit 0.
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

# SOCK_DGRAM: UDP
server = socket.socket(family, socket.SOCK_DGRAM)
server.bind((host, port))
print(server.getsockname()[1], flush=True)

while True:
    # data, and addr: the ip and port it came from
    data, addr = server.recvfrom(1024)
    out.write(data)
    out.flush()
    info = sys.stdin.buffer.readline()  # instead of input('input:')
    if not info:
        break
    # send to the ip and port the datagram came from
    server.sendto(info, addr)

server.close()
