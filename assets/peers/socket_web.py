#!/usr/bin/env python3
# socket_web.py: the Python socket tutorial's tiny web server (socket-web.py), in Python 3.
#
#   python3 socket_web.py PORT [HOST]     (or HOST PORT; host 127.0.0.1)
#
# Like the tutorial's program: bind, listen(5), then forever: accept, recv(1024) the
# request, send "HTTP/1.1 200 OK\r\n\r\n" and "Hello, World", close.
# Python 3 sends bytes, so the strings are b'...'.  For scripts: port 0
# picks a free port and the first stdout line is always the bound port;
# each request is written to stdout unchanged.  Stop it with a signal.
import socket
import sys


def address():
    args = sys.argv[1:]
    if len(args) >= 2 and not args[0].isdigit():
        args = [args[1], args[0]]
    port = int(args[0]) if args else 8080
    host = args[1] if len(args) > 1 else '127.0.0.1'
    return host, port


def handle_request(client):
    buf = client.recv(1024)
    sys.stdout.buffer.write(buf)
    sys.stdout.flush()
    client.send(b"HTTP/1.1 200 OK\r\n\r\n")
    client.send(b"Hello, World")


def main():
    host, port = address()
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.bind((host, port))
    sock.listen(5)
    print(sock.getsockname()[1], flush=True)

    while True:
        connection, address_ = sock.accept()
        handle_request(connection)
        connection.close()


if __name__ == '__main__':
    main()
