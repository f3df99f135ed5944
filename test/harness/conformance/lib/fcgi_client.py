#!/usr/bin/env python3
"""FastCGI client for the conformance cases' !sh steps.

    fcgi_client.py unix:///path/to.sock [QUERY]
    fcgi_client.py tcp://HOST:PORT [QUERY]

Sends one GET request and prints the response body (headers dropped); on any
failure prints "fcgi: <ExceptionName>" and exits 1.
"""
import socket
import struct
import sys

HEADER = struct.Struct("!BBHHBx")
FCGI_BEGIN_REQUEST, FCGI_END_REQUEST, FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT = 1, 3, 4, 5, 6
FCGI_RESPONDER = 1


def encode_record(kind, body=b"", request_id=1):
    return HEADER.pack(1, kind, request_id, len(body), 0) + body


def encode_param(name, value):
    name, value = name.encode(), value.encode()
    return bytes([len(name), len(value)]) + name + value


def connect(url):
    if url.startswith("unix://"):
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.settimeout(5)
        conn.connect(url[len("unix://"):])
        return conn
    if url.startswith("tcp://"):
        host, port = url[len("tcp://"):].rsplit(":", 1)
        return socket.create_connection((host, int(port)), timeout=5)
    raise ValueError(url)


def request(url, query):
    conn = connect(url)
    params = b"".join(encode_param(k, v) for k, v in (
        ("REQUEST_METHOD", "GET"), ("SCRIPT_NAME", "/"),
        ("QUERY_STRING", query), ("SERVER_PROTOCOL", "HTTP/1.0")))
    conn.sendall(encode_record(FCGI_BEGIN_REQUEST, struct.pack("!HB5x", FCGI_RESPONDER, 0))
                 + encode_record(FCGI_PARAMS, params) + encode_record(FCGI_PARAMS)
                 + encode_record(FCGI_STDIN))
    pending, stdout = b"", b""
    with conn:
        while True:
            part = conn.recv(65536)
            if not part:
                return stdout
            pending += part
            while len(pending) >= HEADER.size:
                _v, kind, _id, length, padding = HEADER.unpack_from(pending)
                end = HEADER.size + length + padding
                if len(pending) < end:
                    break
                body, pending = pending[HEADER.size:HEADER.size + length], pending[end:]
                if kind == FCGI_STDOUT:
                    stdout += body
                elif kind == FCGI_END_REQUEST:
                    return stdout


def main(argv):
    try:
        response = request(argv[1], argv[2] if len(argv) > 2 else "")
    except Exception as error:  # every failure is reported the same way
        print("fcgi: %s" % type(error).__name__)
        return 1
    sys.stdout.write(response.split(b"\r\n\r\n", 1)[-1].decode())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
