#!/usr/bin/env python3
"""FastCGI responder used by the conformance cases' [fcgi-program:...] sections.

The daemon passes the listening socket as fd 0. Each request is answered with
"hello from GROUP query=QUERY_STRING" (GROUP from SUPERVISOR_GROUP_NAME), so the
reply does not depend on which of the numprocs children accepted it. On start it
prints "fcgi app ready" to stdout (cases may tail it).
"""
import os
import socket
import struct
import sys

HEADER = struct.Struct("!BBHHBx")  # version, type, request id, content length, padding
FCGI_END_REQUEST, FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT = 3, 4, 5, 6


def recv_all(conn, size):
    data = bytearray()
    while len(data) < size:
        part = conn.recv(size - len(data))
        if not part:
            raise EOFError("peer closed")
        data += part
    return bytes(data)


def next_record(conn):
    _version, kind, request_id, length, padding = HEADER.unpack(recv_all(conn, HEADER.size))
    body = recv_all(conn, length) if length else b""
    if padding:
        recv_all(conn, padding)
    return kind, request_id, body


def name_value_length(data, at):
    if data[at] & 0x80:
        return struct.unpack_from("!I", data, at)[0] & 0x7FFFFFFF, at + 4
    return data[at], at + 1


def decode_params(data):
    params, at = {}, 0
    while at < len(data):
        name_len, at = name_value_length(data, at)
        value_len, at = name_value_length(data, at)
        name = data[at:at + name_len].decode()
        at += name_len
        params[name] = data[at:at + value_len].decode()
        at += value_len
    return params


def encode_record(kind, request_id, body=b""):
    return HEADER.pack(1, kind, request_id, len(body), 0) + body


def answer(conn):
    raw_params, request_id = b"", 1
    while True:
        kind, request_id, body = next_record(conn)
        if kind == FCGI_PARAMS:
            raw_params += body
        elif kind == FCGI_STDIN and not body:
            break
    query = decode_params(raw_params).get("QUERY_STRING", "")
    group = os.environ.get("SUPERVISOR_GROUP_NAME", "?")
    page = "Content-Type: text/plain\r\n\r\nhello from %s query=%s\n" % (group, query)
    conn.sendall(encode_record(FCGI_STDOUT, request_id, page.encode())
                 + encode_record(FCGI_STDOUT, request_id)
                 + encode_record(FCGI_END_REQUEST, request_id, struct.pack("!IB3x", 0, 0)))


def main():
    listener = socket.socket(fileno=0)
    print("fcgi app ready", flush=True)
    while True:
        conn, _addr = listener.accept()
        with conn:
            try:
                answer(conn)
            except EOFError:
                pass


if __name__ == "__main__":
    main()
