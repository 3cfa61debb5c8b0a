"""The few pieces of the PostgreSQL wire protocol a routing pooler reads and writes: the
client's first packets (SSLRequest, GSSENCRequest, CancelRequest, StartupMessage), a rewritten
StartupMessage, an ErrorResponse, and the server's messages up to ReadyForQuery (to learn the
BackendKeyData a later CancelRequest names). Everything after that is spliced unread.
"""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102
# PostgreSQL's own limit on a startup packet (MAX_STARTUP_PACKET_LENGTH).
MAX_STARTUP_LENGTH = 10000


class ProtocolError(Exception):
    """The client sent something no PostgreSQL client sends first."""


@dataclass(frozen=True)
class Startup:
    version: int  # 196608 (3.0) or a later 3.x a newer libpq asks for; the instance answers it
    params: dict[str, str]

    def encode(self) -> bytes:
        body = struct.pack("!I", self.version)
        for key, value in self.params.items():
            body += key.encode() + b"\0" + value.encode() + b"\0"
        body += b"\0"
        return struct.pack("!I", len(body) + 4) + body


@dataclass(frozen=True)
class Cancel:
    packet: bytes  # the whole CancelRequest, forwarded as it came
    key: bytes  # process id and secret: what BackendKeyData carried


async def read_packet(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """A length-prefixed untyped packet: (its code or version, the rest of its body)."""
    header = await reader.readexactly(8)
    length, code = struct.unpack("!II", header)
    if length < 8 or length > MAX_STARTUP_LENGTH:
        raise ProtocolError(f"invalid startup packet length {length}")
    return code, await reader.readexactly(length - 8)


def parse_startup(version: int, body: bytes) -> Startup:
    if version >> 16 != 3:
        raise ProtocolError(f"unsupported frontend protocol {version >> 16}.{version & 0xFFFF}")
    parts = body.split(b"\0")
    # key\0value\0 ... \0: an even number of fields, then the two empty ones of the terminator.
    if len(parts) < 2 or parts[-2:] != [b"", b""] or len(parts) % 2:
        raise ProtocolError("invalid startup packet layout")
    fields = [part.decode("utf-8", errors="strict") for part in parts[:-2]]
    return Startup(version, dict(zip(fields[::2], fields[1::2], strict=True)))


def cancel_from(code: int, body: bytes) -> Cancel:
    return Cancel(struct.pack("!II", len(body) + 8, code) + body, body)


def error_response(code: str, message: str, severity: str = "FATAL") -> bytes:
    """An ErrorResponse as the server would send it (libpq shows ``FATAL:  <message>``)."""
    fields = ((b"S", severity), (b"V", severity), (b"C", code), (b"M", message))
    body = b"".join(tag + value.encode() + b"\0" for tag, value in fields) + b"\0"
    return b"E" + struct.pack("!I", len(body) + 4) + body


async def relay_until_ready(server: asyncio.StreamReader, client: asyncio.StreamWriter) -> bytes | None:
    """Pass the server's messages to the client up to ReadyForQuery (or an ErrorResponse: the
    login failed) and answer the BackendKeyData's payload among them, if any."""
    key = None
    while True:
        header = await server.readexactly(5)
        kind, length = header[:1], struct.unpack("!I", header[1:])[0]
        body = await server.readexactly(length - 4)
        client.write(header + body)
        await client.drain()
        if kind == b"K":
            key = body
        elif kind in (b"Z", b"E"):
            return key


# Authentication request codes (the "R" message) of a SASL exchange, and the end of one.
AUTH_OK, AUTH_SASL, AUTH_SASL_CONTINUE, AUTH_SASL_FINAL = 0, 10, 11, 12
MAX_AUTH_MESSAGE = 8192  # a SASL message is a few hundred bytes


def message(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("!I", len(body) + 4) + body


def authentication(code: int, data: bytes = b"") -> bytes:
    return message(b"R", struct.pack("!I", code) + data)


async def read_message(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """One typed message of the authentication phase: (its type byte, its body)."""
    header = await reader.readexactly(5)
    kind, length = header[:1], struct.unpack("!I", header[1:])[0]
    if length < 4 or length > MAX_AUTH_MESSAGE:
        raise ProtocolError(f"invalid message length {length} during authentication")
    return kind, await reader.readexactly(length - 4)


def sasl_initial(mechanism: str, data: bytes) -> bytes:
    """A SASLInitialResponse ("p"): the mechanism chosen and the client-first message."""
    return message(b"p", mechanism.encode() + b"\0" + struct.pack("!i", len(data)) + data)


def parse_sasl_initial(body: bytes) -> tuple[str, bytes]:
    mechanism, _, rest = body.partition(b"\0")
    if len(rest) < 4:
        raise ProtocolError("invalid SASLInitialResponse")
    (length,) = struct.unpack("!i", rest[:4])
    if length != len(rest) - 4:
        raise ProtocolError("invalid SASLInitialResponse length")
    return mechanism.decode(errors="replace"), rest[4:]
