"""SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks it, for the pooler: check a client
against the tenant role's stored verifier *before* its stopped instance is woken, then log in to
the instance with the ClientKey the client's proof revealed (what PgBouncer calls SCRAM
pass-through). The pooler never sees the password; the verifier lets it check a proof, and the
ClientKey (recovered from a valid proof) lets it make one, so the instance still checks the
login itself: a stale verifier can refuse a client, never let a wrong one in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

MECHANISM = "SCRAM-SHA-256"
VERIFIER = re.compile(r"^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$")
# gs2 headers without channel binding: the client cannot bind ("n") or could but was not offered it ("y").
GS2_HEADERS = {"n,,", "y,,"}


class ScramError(Exception):
    """A message no SCRAM client (or server) sends."""


@dataclass(frozen=True)
class Verifier:
    """pg_authid.rolpassword of a SCRAM role: ``SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>``."""

    iterations: int
    salt: bytes
    stored_key: bytes
    server_key: bytes

    @classmethod
    def parse(cls, text: str | None) -> Verifier | None:
        match = VERIFIER.match(text or "")
        if match is None:
            return None
        iterations, salt, stored, server = match.groups()
        return cls(int(iterations), base64.b64decode(salt), base64.b64decode(stored), base64.b64decode(server))


def _hmac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def _attributes(message: str) -> dict[str, str]:
    try:
        return dict(part.split("=", 1) for part in message.split(","))
    except ValueError:
        raise ScramError("malformed SCRAM message") from None


class ServerSide:
    """The pooler as the SCRAM server to its client: ``challenge`` answers the client-first
    message, ``check`` the client-final one (the ClientKey and the server-final message, or
    None when the proof is wrong)."""

    def __init__(self, verifier: Verifier) -> None:
        self.verifier = verifier
        self._client_first_bare = ""
        self._server_first = ""
        self._gs2 = ""

    def challenge(self, client_first: bytes) -> bytes:
        text = client_first.decode("utf-8", errors="strict")
        self._gs2 = ",".join(text.split(",", 2)[:2]) + ","
        if self._gs2 not in GS2_HEADERS:
            raise ScramError("channel binding is not supported here")
        self._client_first_bare = text[len(self._gs2) :]
        nonce = _attributes(self._client_first_bare).get("r", "")
        if not nonce:
            raise ScramError("client-first message without a nonce")
        salt = base64.b64encode(self.verifier.salt).decode()
        self._server_first = f"r={nonce}{secrets.token_urlsafe(18)},s={salt},i={self.verifier.iterations}"
        return self._server_first.encode()

    def check(self, client_final: bytes) -> tuple[bytes, bytes] | None:
        text = client_final.decode("utf-8", errors="strict")
        without_proof, _, proof = text.rpartition(",p=")
        attributes = _attributes(without_proof)
        if attributes.get("c") != base64.b64encode(self._gs2.encode()).decode():
            raise ScramError("channel binding data does not match the gs2 header")
        if attributes.get("r") != _attributes(self._server_first)["r"]:
            raise ScramError("the client-final nonce is not the server's")
        auth_message = f"{self._client_first_bare},{self._server_first},{without_proof}".encode()
        try:
            client_proof = base64.b64decode(proof, validate=True)
            client_key = _xor(client_proof, _hmac(self.verifier.stored_key, auth_message))
        except ValueError:
            return None
        if not hmac.compare_digest(hashlib.sha256(client_key).digest(), self.verifier.stored_key):
            return None
        signature = base64.b64encode(_hmac(self.verifier.server_key, auth_message)).decode()
        return client_key, f"v={signature}".encode()


class ClientSide:
    """The pooler as the SCRAM client to the instance, proving with a ClientKey (not a password)."""

    def __init__(self, client_key: bytes) -> None:
        self.client_key = client_key
        self._client_first_bare = f"n=,r={secrets.token_urlsafe(18)}"

    def first(self) -> bytes:
        return f"n,,{self._client_first_bare}".encode()

    def final(self, server_first: bytes) -> bytes:
        text = server_first.decode("utf-8", errors="strict")
        nonce = _attributes(text).get("r", "")
        if not nonce.startswith(_attributes(self._client_first_bare)["r"]):
            raise ScramError("the instance's nonce does not extend ours")
        without_proof = f"c=biws,r={nonce}"
        auth_message = f"{self._client_first_bare},{text},{without_proof}".encode()
        stored_key = hashlib.sha256(self.client_key).digest()
        proof = _xor(self.client_key, _hmac(stored_key, auth_message))
        return f"{without_proof},p={base64.b64encode(proof).decode()}".encode()
