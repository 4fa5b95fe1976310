#!/usr/bin/env python3
"""Streamed bodies on `wisp serve`, end to end over raw sockets on 127.0.0.1: the Worker runs as
soon as the request head is in and reads the body from the socket as it goes; a stream response
goes out as the Worker produces it; neither is ever held whole (a 200 MB echo with the server's
RSS watched); a client that leaves cancels the Worker's stream; bodies over wisp.maxBodyBytes get
413; and fetch() sends a stream request body as it is written (to an origin server in this
script). The Worker is tests/e2e/hosts/streaming."""
import hashlib
import http.client
import json
import os
import socket
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

from wisp_server import Cases, Server

WISP = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
HOST_DIR = os.path.join(HERE, "hosts/streaming")
cases = Cases()
case = cases.case



class Origin(BaseHTTPRequestHandler):
    """The other end of the Worker's fetch(): /sink reads the request body (chunked or not) and
    describes it; /redirect307 sends it back to /sink."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def read_body(self):
        digest, length, chunks = hashlib.sha256(), 0, 0
        start = b""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                data = self.rfile.read(size)
                self.rfile.readline()
                digest.update(data)
                length += len(data)
                chunks += 1
                if len(start) < 200:
                    start += data[:200]
        else:
            left = int(self.headers.get("Content-Length") or 0)
            while left > 0:
                data = self.rfile.read(min(left, 1 << 20))
                if not data:
                    break
                digest.update(data)
                length += len(data)
                left -= len(data)
                if len(start) < 200:
                    start += data[:200]
        return {"length": length, "sha256": digest.hexdigest(), "chunks": chunks,
                "start": start[:200].decode("latin-1")}

    def handle_one(self):
        if self.path == "/redirect307":
            self.read_body()
            self.send_response(307)
            self.send_header("Location", "/sink")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        seen = self.read_body()
        seen.update({"method": self.command, "transferEncoding": self.headers.get("Transfer-Encoding"),
                     "contentLength": self.headers.get("Content-Length")})
        out = json.dumps(seen).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_POST = do_PUT = handle_one


origin = ThreadingHTTPServer(("127.0.0.1", 0), Origin)
origin.daemon_threads = True
threading.Thread(target=origin.serve_forever, daemon=True).start()
ORIGIN = quote(f"http://127.0.0.1:{origin.server_address[1]}", safe="")

host = Server(WISP, HOST_DIR)

# The same Worker with a 1 MB body limit, for the 413 cases.
small_dir = tempfile.mkdtemp()
with open(os.path.join(small_dir, "wrangler.json"), "w") as f:
    json.dump({"name": "streaming-small", "main": os.path.join(HOST_DIR, "src/index.js"),
               "wisp": {"listen": "127.0.0.1:0", "threads": 1, "maxBodyBytes": 1000000}}, f)
small = Server(WISP, small_dir)

builtin = Server(WISP, "--listen", "127.0.0.1:0", tempfile.mkdtemp())


class Exchange:
    """One HTTP/1.1 exchange on a raw socket, so that the request body can be sent in pieces
    while the response is read, piece by piece."""

    def __init__(self, port, method, path, headers=None, chunked=True):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
        if chunked:
            lines.append("Transfer-Encoding: chunked")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.status = None
        self.headers = {}
        self.body_chunked = False
        self.left = None  # bytes left of the current chunk (chunked) or of the body (length)
        self.ended = False

    def send_chunk(self, data):
        self.sock.sendall(b"%x\r\n" % len(data) + data + b"\r\n")

    def end_body(self):
        self.sock.sendall(b"0\r\n\r\n")

    def _fill(self):
        data = self.sock.recv(1 << 20)
        if not data:
            raise EOFError("connection closed")
        self.buf += data

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("latin-1")

    def read_head(self):
        self.status = int(self._line().split(" ")[1])
        while True:
            line = self._line()
            if not line:
                break
            name, value = line.split(":", 1)
            self.headers[name.strip().lower()] = value.strip()
        self.body_chunked = self.headers.get("transfer-encoding") == "chunked"
        if not self.body_chunked:
            self.left = int(self.headers.get("content-length", "0"))
        return self.status

    def read_some(self):
        """The next body bytes as they arrive (b"" at the end); EOFError if the connection ends
        before the body does."""
        if self.ended:
            return b""
        if self.body_chunked:
            if not self.left:
                size = int(self._line().split(";")[0], 16)
                if size == 0:
                    self._line()  # the empty trailer section
                    self.ended = True
                    return b""
                self.left = size
            if not self.buf:
                self._fill()
            data, self.buf = self.buf[:self.left], self.buf[self.left:]
            self.left -= len(data)
            if self.left == 0:
                while len(self.buf) < 2:
                    self._fill()
                self.buf = self.buf[2:]  # the chunk's CRLF
            return data
        if self.left == 0:
            self.ended = True
            return b""
        if not self.buf:
            self._fill()
        data, self.buf = self.buf[:self.left], self.buf[self.left:]
        self.left -= len(data)
        return data

    def read_exactly(self, n):
        out = b""
        while len(out) < n:
            data = self.read_some()
            if not data:
                raise AssertionError(f"body ended after {len(out)} of {n} bytes: {out!r}")
            out += data
        return out

    def read_rest(self):
        out = b""
        while True:
            data = self.read_some()
            if not data:
                return out
            out += data

    def close(self):
        self.sock.close()


def wait_for_log(server, text, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if text in server.stderr():
            return True
        time.sleep(0.05)
    return False


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@case
def echo_answers_before_the_request_body_is_complete():
    ex = Exchange(host.port, "POST", "/echo")
    ex.send_chunk(b"piece one;")
    assert ex.read_head() == 200, ex.status
    assert ex.body_chunked, ex.headers
    # The request is still open: this arrives only because the body streams through.
    assert ex.read_exactly(10) == b"piece one;"
    ex.send_chunk(b"piece two")
    assert ex.read_exactly(9) == b"piece two"
    ex.end_body()
    assert ex.read_rest() == b""
    ex.close()


@case
def a_worker_written_stream_reaches_the_client_while_the_worker_still_writes():
    ex = Exchange(host.port, "POST", "/first-then-last")
    assert ex.read_head() == 200 and ex.body_chunked, (ex.status, ex.headers)
    # The Worker writes "last" only after the whole request body, which is not sent yet.
    assert ex.read_exactly(6) == b"first\n"
    ex.send_chunk(b"x")
    ex.send_chunk(b"yz")
    ex.end_body()
    assert ex.read_rest() == b"last after xyz\n"
    ex.close()


@case
def chunks_written_after_the_response_is_returned_all_arrive():
    status, headers, data = host.request("GET", "/slow?count=4")
    assert status == 200 and headers.get("transfer-encoding") == "chunked", (status, headers)
    assert data == b"chunk 0\nchunk 1\nchunk 2\nchunk 3\n", data


@case
def byte_bodies_keep_their_content_length():
    status, headers, data = host.request("GET", "/")
    assert status == 200 and data == b"ok" and headers.get("content-length") == "2", headers
    body = b"y" * 300000
    status, headers, data = host.request("POST", "/length", body)
    assert status == 200 and data == b"300000" and headers.get("content-length") == "6", (data, headers)


@case
def a_fixed_length_stream_goes_out_with_its_content_length():
    status, headers, data = host.request("GET", "/fixed-length")
    assert status == 200 and data == b"hello world", (status, data)
    assert headers.get("content-length") == "11" and "transfer-encoding" not in headers, headers


@case
def a_200_mb_echo_streams_without_growing_the_server():
    # Warm up (the isolate and its first stream), then take the resident size.
    host.request("POST", "/echo", b"warm" * 1000)
    before = rss_bytes(host.proc.pid)
    block = hashlib.sha256(b"wisp").digest() * 2048  # 64 KiB
    total = 200 * 1024 * 1024
    sent = hashlib.sha256()
    ex = Exchange(host.port, "POST", "/echo", {"Content-Length": str(total)}, chunked=False)

    def send():
        left = total
        while left > 0:
            piece = block[:min(len(block), left)]
            sent.update(piece)
            ex.sock.sendall(piece)
            left -= len(piece)

    sender = threading.Thread(target=send)
    sender.start()
    assert ex.read_head() == 200, ex.status
    got = hashlib.sha256()
    received = 0
    peak = before
    next_sample = 0
    while True:
        data = ex.read_some()
        if not data:
            break
        got.update(data)
        received += len(data)
        if received >= next_sample:
            peak = max(peak, rss_bytes(host.proc.pid))
            next_sample += 4 * 1024 * 1024
    sender.join()
    ex.close()
    assert received == total, received
    assert got.hexdigest() == sent.hexdigest()
    growth = peak - before
    assert growth < 64 * 1024 * 1024, f"server RSS grew by {growth / 1048576:.1f} MiB"


@case
def a_client_that_leaves_cancels_the_stream_and_the_server_carries_on():
    ex = Exchange(host.port, "GET", "/endless?tag=gone-1", chunked=False)
    assert ex.read_head() == 200 and ex.body_chunked
    ex.read_exactly(200 * 1024)
    ex.close()
    assert wait_for_log(host, "cancelled gone-1: TypeError: The client disconnected."), host.stderr()[-2000:]
    status, _, data = host.request("GET", "/")
    assert status == 200 and data == b"ok"


@case
def a_stream_that_fails_midway_cuts_the_connection():
    ex = Exchange(host.port, "GET", "/fails", chunked=False)
    assert ex.read_head() == 200 and ex.body_chunked
    assert ex.read_exactly(7) == b"partial"
    try:
        rest = ex.read_rest()
        raise AssertionError(f"the body ended cleanly: {rest!r}")
    except EOFError:
        pass  # no terminating chunk: the client knows the body is incomplete
    ex.close()
    assert wait_for_log(host, "stream broke on purpose"), host.stderr()[-2000:]


@case
def a_stream_nothing_can_finish_is_cut_instead_of_hanging():
    ex = Exchange(host.port, "GET", "/hangs", chunked=False)
    assert ex.read_head() == 200
    assert ex.read_exactly(10) == b"only chunk"
    try:
        ex.read_rest()
        raise AssertionError("the body ended cleanly")
    except EOFError:
        pass
    ex.close()
    assert wait_for_log(host, "will never complete this body"), host.stderr()[-2000:]


@case
def a_declared_body_over_the_limit_gets_413_before_the_worker_runs():
    ex = Exchange(small.port, "POST", "/read-report?tag=declared", {"Content-Length": "5000000"}, chunked=False)
    assert ex.read_head() == 413, ex.status
    ex.close()
    status, _, data = small.request("POST", "/read-report?tag=after", b"z" * 1000)
    assert status == 200 and data == b"read 1000", data
    assert "read-report declared" not in small.stderr()  # the Worker never saw it


@case
def a_chunked_body_growing_over_the_limit_fails_the_read_and_gets_413():
    ex = Exchange(small.port, "POST", "/read-report?tag=chunked")
    try:
        for _ in range(40):
            ex.send_chunk(b"c" * 64 * 1024)
    except OSError:
        pass  # the server answered and closed while we were still sending
    assert ex.read_head() == 413, ex.status
    ex.close()
    assert wait_for_log(small, "read failed: TypeError: The request body is larger than the server accepts"), \
        small.stderr()[-2000:]


@case
def a_chunked_body_over_the_limit_after_the_response_started_cuts_the_connection():
    ex = Exchange(small.port, "POST", "/echo")
    ex.send_chunk(b"a" * 1000)
    assert ex.read_head() == 200
    assert ex.read_exactly(1000) == b"a" * 1000
    try:
        for _ in range(40):
            ex.send_chunk(b"b" * 64 * 1024)
    except OSError:
        pass
    try:
        ex.read_rest()
        raise AssertionError("the body ended cleanly")
    except (EOFError, ConnectionResetError):
        pass
    ex.close()


@case
def an_uploaded_worker_streams_both_ways_too():
    code = {"mainModule": "main.js", "modules": {"main.js": """
      export default {
        fetch(request) { return new Response(request.body.pipeThrough(new TransformStream())); },
      };"""}}
    c = http.client.HTTPConnection("127.0.0.1", builtin.port, timeout=30)
    c.request("PUT", "/v1/workers/stream-echo", body=json.dumps(code))
    r = c.getresponse()
    assert r.status in (200, 201), r.read()
    r.read()
    c.close()
    ex = Exchange(builtin.port, "POST", "/v1/workers/stream-echo/x")
    ex.send_chunk(b"hello ")
    assert ex.read_head() == 200 and ex.body_chunked, (ex.status, ex.headers)
    assert ex.read_exactly(6) == b"hello "
    ex.send_chunk(b"world")
    ex.end_body()
    assert ex.read_rest() == b"world"
    ex.close()


@case
def fetch_sends_a_stream_body_as_it_is_written():
    status, _, data = host.request("GET", f"/upload?origin={ORIGIN}")
    assert status == 200, data
    seen = json.loads(data)
    assert seen["method"] == "POST" and seen["transferEncoding"] == "chunked", seen
    assert seen["start"] == "part 0;part 1;part 2;" and seen["length"] == 21, seen


@case
def fetch_forwards_the_incoming_body_without_holding_it():
    host.request("PUT", f"/forward?origin={ORIGIN}", b"warm")
    before = rss_bytes(host.proc.pid)
    total = 100 * 1024 * 1024
    block = hashlib.sha256(b"forward").digest() * 2048
    sent = hashlib.sha256()
    ex = Exchange(host.port, "PUT", f"/forward?origin={ORIGIN}")
    peak = before
    for i in range(total // len(block)):
        ex.send_chunk(block)
        sent.update(block)
        if i % 64 == 0:
            peak = max(peak, rss_bytes(host.proc.pid))
    ex.end_body()
    assert ex.read_head() == 200, ex.status
    seen = json.loads(ex.read_rest())
    ex.close()
    assert seen["length"] == total and seen["sha256"] == sent.hexdigest(), seen
    assert seen["transferEncoding"] == "chunked", seen
    growth = peak - before
    assert growth < 64 * 1024 * 1024, f"server RSS grew by {growth / 1048576:.1f} MiB"


@case
def fetch_of_a_request_built_from_the_incoming_one_keeps_its_length():
    body = b"0123456789" * 50000
    status, _, data = host.request("POST", f"/forward-request?origin={ORIGIN}", body)
    seen = json.loads(data)
    assert status == 200 and seen["method"] == "POST", (status, seen)
    assert seen["contentLength"] == str(len(body)) and seen["length"] == len(body), seen
    assert seen["sha256"] == hashlib.sha256(body).hexdigest(), seen


@case
def a_redirect_cannot_resend_a_stream_body():
    status, _, data = host.request("GET", f"/upload-redirected?origin={ORIGIN}")
    text = data.decode()
    assert status == 200 and text.startswith("TypeError: fetch() to ") and \
        text.endswith("a request body given as a stream cannot be sent again."), text


cases.report(host, small, builtin)
