#!/usr/bin/env python3
"""The oracle of tests/conformance.rs: runs every script with CPython's own
`socket` module and prints, per script, one JSON line
`{"name": ..., "lines": [...]}` holding one normalised result per step.

Input (stdin): `{"limit": SECONDS, "scripts": [{"name", "steps"}]}` where
each step is the parsed form of one script line (see script.rs): `text`,
`bind` (the variable assigned, or null), `obj` (a variable or "peer") and
`op` with its arguments. Peer steps are the harness's own plain sockets.

Normalised results: `None`, `b'...'` (repr), `('127.0.0.1', PORT)` (ports
other than 0 become PORT), `FD` for a file descriptor >= 0 (`-1` stays),
`sock` for a new socket object, `(sock, ADDR)` for accept, integers as
they are, Unix paths in the script's own directory as `'./name'`,
exceptions as `ClassName: message` (`str(exc)`, so
`ConnectionRefusedError: [Errno 111] Connection refused` and
`TimeoutError: timed out`). A call that takes longer than `limit` seconds
prints `no answer to LINE within N s` and ends its script.
"""

import json
import os
import shutil
import signal
import socket
import struct
import sys
import tempfile
import threading


class Stall(Exception):
    """A call did not return within the limit (raised by SIGALRM)."""


def on_alarm(_signum, _frame):
    raise Stall()


def addr(a):
    """An address tuple with its port normalised."""
    if a is None:
        return "None"
    if isinstance(a, tuple):
        host, port = a[0], a[1]
        rest = "".join(", %r" % x for x in a[2:])
        return "(%r, %s%s)" % (host, "PORT" if port else "0", rest)
    return repr(a)


def show(op, value):
    """One result, normalised as the module doc says."""
    if op == "socket":
        return "sock"
    if op in ("accept", "peer_accept"):
        return "(sock, %s)" % addr(value[1])
    if op == "fileno":
        return "FD" if value >= 0 else str(value)
    if op in ("getsockname", "getpeername"):
        return addr(value)
    if op in ("recvfrom", "peer_recvfrom"):
        return "(%r, %s)" % (value[0], addr(value[1]))
    if value is None:
        return "None"
    return repr(value)


HELD = []


def closed_port():
    """A port nobody listens on: bound to port 0 and never listening, the
    socket kept open for the whole run so that no other bind(0) is given
    the port meanwhile; a connect to it is refused."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    HELD.append(probe)
    return probe.getsockname()[1]


class Env:
    """One script's sockets: the student's by variable, and the peer's."""

    def __init__(self, refused, limit):
        self.refused = refused
        self.limit = limit
        self.socks = {}
        self.made = []
        self.peer_addr = None
        self.listener = None
        self.conn = None
        self.udp = None
        # `./name` tokens are socket files here, one directory per script.
        self.dir = tempfile.mkdtemp(prefix="sockpit-oracle-")

    def sock(self, name):
        if name not in self.socks:
            raise NameError("name %r is not defined" % name)
        return self.socks[name]

    def addr(self, token):
        if token.startswith("./"):
            return os.path.join(self.dir, token[2:])
        if token == "REFUSED":
            return ("127.0.0.1", self.refused)
        if token == "ZERO":
            return ("127.0.0.1", 0)
        if token == "PEER":
            if self.peer_addr is None:
                raise RuntimeError("harness: no PEER yet")
            return self.peer_addr
        if ":" in token:
            host, port = token.rsplit(":", 1)
            return (host, int(port))
        return self.sock(token).getsockname()

    def keep(self, s):
        self.made.append(s)
        return s

    def peer_sock(self, s):
        s.settimeout(self.limit)
        return self.keep(s)

    def need(self, what):
        value = getattr(self, what)
        if value is None:
            raise RuntimeError("harness: peer has no %s" % what)
        return value

    def close_all(self):
        for s in self.made:
            try:
                s.close()
            except OSError:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)


SHUT = {"rd": socket.SHUT_RD, "wr": socket.SHUT_WR, "rdwr": socket.SHUT_RDWR}


def student(env, step):
    """One call on a student socket; returns what the call returned."""
    op = step["op"]
    if op == "socket":
        family = socket.AF_UNIX if step["kind"] == "unix" else socket.AF_INET
        kind = socket.SOCK_DGRAM if step["kind"] == "udp" else socket.SOCK_STREAM
        s = env.keep(socket.socket(family, kind))
        env.socks[step["bind"]] = s
        return s
    s = env.sock(step["obj"])
    if op == "accept":
        conn, peer = s.accept()
        env.keep(conn)
        if step["bind"]:
            env.socks[step["bind"]] = conn
        return (conn, peer)
    if op in ("bind", "connect", "connect_ex"):
        return getattr(s, op)(env.addr(step["to"]))
    if op == "listen":
        return s.listen(step["backlog"])
    if op == "settimeout":
        return s.settimeout(step["secs"])
    if op == "setblocking":
        return s.setblocking(step["flag"])
    if op in ("getsockname", "getpeername", "fileno", "close"):
        return getattr(s, op)()
    if op in ("send", "sendall"):
        return getattr(s, op)(bytes(step["data"]))
    if op == "sendto":
        return s.sendto(bytes(step["data"]), env.addr(step["to"]))
    if op in ("recv", "recvfrom"):
        return getattr(s, op)(step["bufsize"])
    if op == "shutdown":
        return s.shutdown(SHUT[step["how"]])
    raise RuntimeError("harness: unknown op %s" % op)


def peer(env, step):
    """One action of the harness's peer (not under test)."""
    op = step["op"]
    if op == "peer_listen":
        env.listener = env.peer_sock(socket.socket())
        env.listener.bind(("127.0.0.1", 0))
        env.listener.listen(16)
        env.peer_addr = env.listener.getsockname()
        return None
    if op == "peer_udp":
        env.udp = env.peer_sock(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        env.udp.bind(("127.0.0.1", 0))
        env.peer_addr = env.udp.getsockname()
        return None
    if op == "peer_accept":
        conn, a = env.need("listener").accept()
        env.conn = env.peer_sock(conn)
        return (conn, a)
    if op == "peer_connect":
        target = env.addr(step["to"])
        family = socket.AF_UNIX if isinstance(target, str) else socket.AF_INET
        conn = env.peer_sock(socket.socket(family))
        conn.connect(target)
        env.conn = conn
        return None
    if op == "peer_send":
        return env.need("conn").sendall(bytes(step["data"]))
    if op == "peer_sendto":
        return env.need("udp").sendto(bytes(step["data"]), env.addr(step["to"]))
    if op == "peer_recv":
        if env.conn is not None:
            return env.conn.recv(1024)
        return env.need("udp").recv(1024)
    if op == "peer_recvfrom":
        return env.need("udp").recvfrom(1024)
    if op in ("peer_close", "peer_reset"):
        for what in ("conn", "udp", "listener"):
            s = getattr(env, what)
            if s is not None:
                if op == "peer_reset":
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.close()
                setattr(env, what, None)
                return None
        raise RuntimeError("harness: peer has nothing to close")
    if op == "peer_shutdown_wr":
        return env.need("conn").shutdown(socket.SHUT_WR)
    raise RuntimeError("harness: unknown op %s" % op)


def harness(env, step):
    """`os.unlink(path)`: what a student types between two server runs."""
    if step["op"] == "unlink":
        return os.unlink(env.addr(step["path"]))
    raise RuntimeError("harness: unknown op %s" % step["op"])


def failure(e):
    """An exception as `ClassName: message` (`KeyboardInterrupt` alone)."""
    text = str(e)
    return "%s: %s" % (type(e).__name__, text) if text else type(e).__name__


def ctrl_c():
    """Ctrl-C 0.2 s from now: SIGINT to this process, as the terminal sends."""
    timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    return timer


def run(script, refused, limit):
    """All steps of one script; the transcript as a list of lines."""
    env = Env(refused, limit)
    lines = []
    try:
        for step in script["steps"]:
            act = {"peer": peer, "os": harness}.get(step["obj"], student)
            signal.setitimer(signal.ITIMER_REAL, limit)
            timer = ctrl_c() if step["interrupt"] else None
            try:
                line = show(step["op"], act(env, step))
                lines.append(line.replace(env.dir + "/", "./"))
            except Stall:
                lines.append("no answer to %s within %s s" % (step["text"], limit))
                break
            except socket.timeout as e:
                if step["obj"] == "peer":
                    lines.append("no answer to %s within %s s" % (step["text"], limit))
                    break
                lines.append(failure(e))
            except (Exception, KeyboardInterrupt) as e:  # pylint: disable=broad-except
                lines.append(failure(e))
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                if timer is not None:
                    timer.cancel()
                    timer.join()
    except Stall:
        lines.append("no answer (alarm after the call)")
    finally:
        env.close_all()
    return lines


def main():
    job = json.load(sys.stdin)
    signal.signal(signal.SIGALRM, on_alarm)
    # A shell's background job inherits SIGINT ignored, and Python then keeps
    # it ignored: `^C` needs Python's own handler (KeyboardInterrupt).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    limit = job["limit"]
    refused = closed_port()
    for script in job["scripts"]:
        try:
            lines = run(script, refused, limit)
        except Exception as e:  # pylint: disable=broad-except
            lines = ["harness error: %s: %s" % (type(e).__name__, e)]
        print(json.dumps({"name": script["name"], "lines": lines}), flush=True)


if __name__ == "__main__":
    main()
