"""Raw-socket checks that Redis and PostgreSQL answer, with no client library.

The fixtures ``redis_url`` and ``postgres_dsn`` (tests/conftest.py) use them; scripts/test
starts the servers (scripts/services.sh) and exports AIRCALL_TEST_REDIS_URL and
AIRCALL_TEST_POSTGRES_DSN.
"""

from __future__ import annotations

import socket
import struct

from yarl import URL

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_POSTGRES_DSN = "postgresql://postgres@127.0.0.1:5432/test"
TIMEOUT = 3.0


def redis_command(url: str, *args: str) -> bytes:
    """Send one command to the Redis at ``url`` and return its raw first reply line.

    Raises OSError when nothing answers there."""
    parsed = URL(url)
    parts = [f"*{len(args)}\r\n".encode()]
    for arg in args:
        data = arg.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    with socket.create_connection((parsed.host or "127.0.0.1", parsed.port or 6379), TIMEOUT) as s:
        s.sendall(b"".join(parts))
        reply = b""
        while not reply.endswith(b"\r\n"):
            chunk = s.recv(4096)
            if not chunk:
                raise OSError(f"Redis at {parsed.host}:{parsed.port} closed the connection")
            reply += chunk
    return reply.split(b"\r\n", 1)[0]


def redis_problem(url: str) -> str | None:
    """Why the Redis at ``url`` is unusable, or None when it answers PING with PONG."""
    try:
        reply = redis_command(url, "PING")
    except OSError as exc:
        return f"no Redis answers at {url}: {exc}"
    return None if reply == b"+PONG" else f"Redis at {url} answered PING with {reply!r}"


def _read_message(sock: socket.socket) -> tuple[bytes, bytes]:
    header = _read_exactly(sock, 5)
    kind, length = header[:1], struct.unpack("!I", header[1:])[0]
    return kind, _read_exactly(sock, length - 4)


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise OSError("PostgreSQL closed the connection")
        data += chunk
    return data


def postgres_query(dsn: str, sql: str) -> list[list[str | None]]:
    """Run ``sql`` (a simple query) on the PostgreSQL at ``dsn`` with trust authentication,
    over the raw v3 protocol, and return the rows of text values.

    Raises OSError when nothing answers, or the server asks for a password or reports an
    error (its message is in the exception)."""
    parsed = URL(dsn)
    params = {"user": parsed.user or "postgres", "database": parsed.path.lstrip("/") or "postgres"}
    body = struct.pack("!I", 196608)  # protocol 3.0
    body += b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in params.items()) + b"\0"
    address = (parsed.host or "127.0.0.1", parsed.port or 5432)
    rows: list[list[str | None]] = []
    with socket.create_connection(address, TIMEOUT) as sock:
        sock.sendall(struct.pack("!I", len(body) + 4) + body)
        query_sent = False
        while True:
            kind, payload = _read_message(sock)
            if kind == b"R" and struct.unpack("!I", payload[:4])[0] != 0:
                raise OSError("PostgreSQL asks for a password: trust authentication expected")
            if kind == b"E":
                fields = [f[1:].decode(errors="replace") for f in payload.split(b"\0") if f]
                raise OSError(f"PostgreSQL error: {' '.join(fields)}")
            if kind == b"D":
                rows.append(_data_row(payload))
            if kind == b"Z":
                if query_sent:
                    sock.sendall(b"X" + struct.pack("!I", 4))  # Terminate
                    return rows
                text = sql.encode() + b"\0"
                sock.sendall(b"Q" + struct.pack("!I", len(text) + 4) + text)
                query_sent = True


def _data_row(payload: bytes) -> list[str | None]:
    count = struct.unpack("!H", payload[:2])[0]
    offset = 2
    values: list[str | None] = []
    for _ in range(count):
        length = struct.unpack("!i", payload[offset : offset + 4])[0]
        offset += 4
        if length < 0:
            values.append(None)
            continue
        values.append(payload[offset : offset + length].decode())
        offset += length
    return values


def postgres_problem(dsn: str) -> str | None:
    """Why the PostgreSQL at ``dsn`` is unusable, or None when it runs ``SELECT 1``."""
    try:
        rows = postgres_query(dsn, "SELECT 1")
    except OSError as exc:
        return f"no usable PostgreSQL at {dsn}: {exc}"
    return None if rows == [["1"]] else f"PostgreSQL at {dsn} answered SELECT 1 with {rows!r}"
