#!/usr/bin/env python3
"""WebSockets on `wisp serve`, end to end over 127.0.0.1: the host Worker tests/e2e/hosts/websocket
answers upgrade requests with `new Response(null, {status: 101, webSocket})`. The real client is
the npm `ws` package in tests/e2e/websocket/client.mjs (echo of text and binary, close codes and
reasons both ways, a Worker-initiated close, a client that vanishes, the 1 MiB message limit,
subprotocols, a refused upgrade, plain HTTP on the same server). This script then checks, over a
raw socket, that a server shutdown (SIGTERM) closes an open WebSocket with 1001."""
import base64
import json
import os
import socket
import struct
import subprocess
import sys

from wisp_server import Cases, Server

WISP = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
HOST_DIR = os.path.join(HERE, "hosts/websocket")
CLIENT = os.path.join(HERE, "websocket/client.mjs")
cases = Cases()

server = Server(WISP, HOST_DIR)
try:
    run = subprocess.run(["node", CLIENT, str(server.port)], capture_output=True, text=True, timeout=120)
    results = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    if not results:
        raise RuntimeError("the client ran no case: " + run.stderr[-2000:])
except Exception as e:  # noqa: BLE001 - reported as a failed case
    results = [{"name": "client", "error": f"{type(e).__name__}: {e}"}]
for r in results:
    def one(r=r):
        if r["error"]:
            raise AssertionError(r["error"])
    one.__name__ = r["name"]
    cases.case(one)


def read_exactly(sock, n):
    data = b""
    while len(data) < n:
        piece = sock.recv(n - len(data))
        if not piece:
            raise EOFError(f"connection closed after {len(data)} of {n} bytes")
        data += piece
    return data


def read_frame(sock):
    """One server frame (servers never mask): (opcode, payload)."""
    b0, b1 = read_exactly(sock, 2)
    length = b1 & 0x7F
    if length == 126:
        length = struct.unpack("!H", read_exactly(sock, 2))[0]
    elif length == 127:
        length = struct.unpack("!Q", read_exactly(sock, 8))[0]
    return b0 & 0x0F, read_exactly(sock, length)


def client_frame(opcode, payload):
    """A masked client frame."""
    mask = os.urandom(4)
    head = bytes([0x80 | opcode])
    if len(payload) < 126:
        head += bytes([0x80 | len(payload)])
    else:
        head += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


@cases.case
def shutdown_closes_open_sockets_with_1001():
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /echo?id=shutdown HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += read_exactly(sock, 1)
    assert head.startswith(b"HTTP/1.1 101"), head
    sock.sendall(client_frame(0x1, b"still here?"))
    assert read_frame(sock) == (0x1, b"still here?")
    server.proc.send_signal(15)  # SIGTERM: drain
    opcode, payload = read_frame(sock)
    while opcode in (0x9, 0xA):  # pings may come first
        opcode, payload = read_frame(sock)
    assert opcode == 0x8, f"expected a close frame, got opcode {opcode}"
    code = struct.unpack("!H", payload[:2])[0]
    assert code == 1001, f"close code {code} ({payload[2:]!r})"
    sock.sendall(client_frame(0x8, struct.pack("!H", 1001)))
    assert server.proc.wait(timeout=30) == 0, "the server did not exit cleanly after the drain"
    sock.close()


cases.report(server)
