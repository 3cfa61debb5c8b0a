"""The pooler endpoint: one loopback port for every project, routing by the user name
``postgres.<ref>`` as Supavisor's session mode does. Each client connection becomes one session
on its project's own instance (woken if it had stopped), as the tenant's role ``postgres``.

Session mode only: a client holds its server connection until it leaves; nothing is pooled
across clients (no transaction mode). The StartupMessage is rewritten to name ``postgres``.
Authentication: to a running instance the client's SCRAM exchange passes through unread
(PostgreSQL ignores the user name inside SCRAM's client-first message); a *stopped* instance is
woken only for a client whose SCRAM proof checks out against the tenant role's verifier kept as
the instance stopped, and the pooler then logs in to it with the ClientKey that proof revealed
(:mod:`.scram`). Either way the instance accepts the login itself, and the pooler never sees or
keeps a password. A hand-written proxy rather than PgBouncer: PgBouncer routes by database name,
not by a suffix of the user name, so ``postgres.<ref>`` could not pick the instance.

Runs in a thread of its own with its own event loop (``start`` / ``stop``); an open session
counts as use of its instance (``Instances.using``), so an idle stop never ends it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
import threading
from collections.abc import Callable
from typing import Any

from platformkit.localapi.errors import Problem
from platformkit.localapi.instances.manager import Instances
from platformkit.localapi.provision import TENANT_DATABASE, TENANT_ROLE, pooler_user

from . import protocol, scram

logger = logging.getLogger("platformkit.localapi.pooler")

HOST = "127.0.0.1"
POOL_MODE = "session"
# Supavisor's answer to a user name naming no tenant (or a tenant it cannot serve). An existing
# ref is still told apart (a password exchange follows), as on the platform; a stopped instance
# is woken only after that exchange succeeded.
NOT_FOUND = ("XX000", "Tenant or user not found")
# A client has this long for its startup and its password exchange (a real one takes
# milliseconds). Until both are done it holds no client slot (``max_clients`` counts sessions
# past their password), no backend of the instance, and wakes no stopped instance; at most
# ``max_pending`` such connections are kept, the oldest closed for a new one, so connections
# that say nothing (or stop after their startup) cannot lock real clients out for even this long.
STARTUP_TIMEOUT_SECONDS = 5.0
MAX_PENDING = 64
USER = re.compile(rf"^{TENANT_ROLE}\.([a-z]{{20}})$")


class Pooler:
    """``Pooler(instances, port=0).start()`` serves on ``HOST:port`` (0: any free port) until
    :meth:`stop`; ``.port`` is where it listens (bound at construction)."""

    def __init__(
        self, instances: Instances, *, port: int = 0, max_clients: int = 200, max_pending: int = MAX_PENDING
    ) -> None:
        self.instances = instances
        self.max_clients = max_clients
        self.max_pending = max_pending
        self._socket = socket.create_server((HOST, port), backlog=256)
        self._socket.setblocking(False)
        self.port = int(self._socket.getsockname()[1])
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._clients = 0  # sessions past their StartupMessage
        self._pending: dict[asyncio.Task[Any], None] = {}  # connections before it, oldest first
        # Past their startup, in their password exchange: a tier of its own, so a flood of silent
        # connections (no startup yet) never closes a real client in the middle of its exchange.
        self._authenticating: dict[asyncio.Task[Any], None] = {}
        self._sessions: set[asyncio.Task[Any]] = set()
        self._backend_keys: dict[bytes, int] = {}  # BackendKeyData payload -> the instance's port

    # What the Management API reports

    def connection_string(self, ref: str) -> str:
        """With Supabase's placeholder where the project's db_pass goes."""
        return f"postgresql://{pooler_user(ref)}:[YOUR-PASSWORD]@{HOST}:{self.port}/{TENANT_DATABASE}"

    def config(self, ref: str) -> dict[str, Any]:
        """One ``SupavisorConfigResponse`` (the project's primary database)."""
        string = self.connection_string(ref)
        return {
            "identifier": ref,
            "database_type": "PRIMARY",
            "is_using_scram_auth": True,
            "db_user": pooler_user(ref),
            "db_host": HOST,
            "db_port": self.port,
            "db_name": TENANT_DATABASE,
            "connection_string": string,
            "connectionString": string,
            "default_pool_size": None,  # session mode: one server connection per client, no pool
            "max_client_conn": self.max_clients,
            "pool_mode": POOL_MODE,
        }

    # Running

    def start(self) -> Pooler:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="localapi-pooler", daemon=True)
            self._thread.start()
            self._ready.wait(10)
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout=10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
        self._socket.close()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            self._server = loop.run_until_complete(asyncio.start_server(self._accept, sock=self._socket))
            self._ready.set()
            loop.run_forever()
        finally:
            self._ready.set()
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._sessions):
            task.cancel()
        if self._sessions:
            await asyncio.wait(self._sessions, timeout=5)

    # One client connection

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._sessions.add(task)
        self._wait_in(self._pending, task)
        counted = False

        def admit() -> bool:
            """Past its password (or past its startup when the instance checks it): a client slot,
            if one is free; until then the connection is one of the pending, oldest closed first."""
            nonlocal counted
            self._authenticating.pop(task, None)
            if self._clients >= self.max_clients:
                return False
            self._clients += 1
            counted = True
            return True

        try:
            first = await asyncio.wait_for(self._first_packet(reader, writer), STARTUP_TIMEOUT_SECONDS)
            self._pending.pop(task, None)
            self._wait_in(self._authenticating, task)
            await self._serve(first, reader, writer, admit)
        except (
            asyncio.IncompleteReadError,
            ConnectionError,
            TimeoutError,
            protocol.ProtocolError,
            scram.ScramError,
            UnicodeDecodeError,
        ) as exc:
            logger.debug("pooler client left: %s", exc)
        except asyncio.CancelledError:
            pass  # the pooler stops, or a newer connection took this silent one's place
        except Exception:
            logger.exception("pooler session failed")
        finally:
            if counted:
                self._clients -= 1
            self._pending.pop(task, None)
            self._authenticating.pop(task, None)
            self._sessions.discard(task)
            writer.close()

    def _wait_in(self, tier: dict[asyncio.Task[Any], None], task: asyncio.Task[Any]) -> None:
        """``task`` joins a tier of connections not yet admitted; past ``max_pending`` the oldest
        of that tier is closed to make room."""
        tier[task] = None
        while len(tier) > self.max_pending:
            oldest = next(iter(tier))
            tier.pop(oldest)
            oldest.cancel()

    async def _serve(
        self,
        first: protocol.Startup | protocol.Cancel,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        admit: Callable[[], bool],
    ) -> None:
        if isinstance(first, protocol.Cancel):
            await self._forward_cancel(first)
            return
        match = USER.match(first.params.get("user", ""))
        if match is None:
            await _refuse(writer, *NOT_FOUND)
            return
        ref = match.group(1)
        try:
            verifier = await asyncio.to_thread(self._verifier, ref)
        except Problem:  # no such project, or it is paused: the same answer (see NOT_FOUND)
            await _refuse(writer, *NOT_FOUND)
            return
        client_key = None
        # The password is checked here, within STARTUP_TIMEOUT_SECONDS, before a stopped instance
        # is woken or a running one gives the client a backend: a silent client holds neither (a
        # review filled an instance's connections with 205 sockets that sent a startup and stopped).
        if verifier is not None:
            client_key = await asyncio.wait_for(self._authenticate(reader, writer, verifier), STARTUP_TIMEOUT_SECONDS)
            if client_key is None:
                return
        if not admit():
            await _refuse(writer, "53300", "Max client connections reached")
            return
        with contextlib.ExitStack() as held:
            try:
                port = await asyncio.to_thread(self._wake, held, ref)
            except Problem:  # no such project, or it is paused: the same answer (see NOT_FOUND)
                await _refuse(writer, *NOT_FOUND)
                return
            except (RuntimeError, OSError):
                logger.exception("the pooler could not start the instance of %s", ref)
                await _refuse(writer, "08006", f"could not start the database of {ref}")
                return
            params = dict(first.params, user=TENANT_ROLE)
            if params.get("database", pooler_user(ref)) == pooler_user(ref):
                params["database"] = TENANT_DATABASE  # libpq's default database is the user's name
            try:
                server_reader, server_writer = await asyncio.open_connection(HOST, port)
            except OSError:
                await _refuse(writer, "08006", f"could not connect to the database of {ref}")
                return
            try:
                server_writer.write(protocol.Startup(first.version, params).encode())
                await server_writer.drain()
                if client_key is not None and not await _log_in(server_reader, server_writer, writer, client_key):
                    return
                await self._splice(reader, writer, server_reader, server_writer, port)
            finally:
                server_writer.close()

    async def _first_packet(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> protocol.Startup | protocol.Cancel:
        """The StartupMessage (or a CancelRequest), after declining encryption: loopback only."""
        while True:
            code, body = await protocol.read_packet(reader)
            if code in (protocol.SSL_REQUEST, protocol.GSSENC_REQUEST):
                writer.write(b"N")
                await writer.drain()
                continue
            if code == protocol.CANCEL_REQUEST:
                return protocol.cancel_from(code, body)
            return protocol.parse_startup(code, body)

    def _verifier(self, ref: str) -> scram.Verifier | None:
        """The tenant role's SCRAM verifier: the running instance's own, or the one kept when it
        stopped; None when neither can be read (no verifier kept: a server that died rather than
        stopped), and the instance then checks the password itself. Problem when there is no
        instance or it is paused."""
        instance = self.instances.instance(ref)
        if not instance.ready or instance.meta().get("paused"):
            raise Problem(404, f"no instance {ref} to serve")
        if instance.is_running():
            return scram.Verifier.parse(self.instances.live_verifier(ref))
        return scram.Verifier.parse(self.instances.tenant_verifier(ref))

    async def _authenticate(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, verifier: scram.Verifier
    ) -> bytes | None:
        """The pooler's own SCRAM exchange with the client: the ClientKey its proof revealed (to
        log in to the instance with), or None once it was refused (a wrong password)."""
        writer.write(protocol.authentication(protocol.AUTH_SASL, scram.MECHANISM.encode() + b"\0\0"))
        await writer.drain()
        kind, body = await protocol.read_message(reader)
        if kind != b"p":
            raise protocol.ProtocolError("expected a SASLInitialResponse")
        mechanism, client_first = protocol.parse_sasl_initial(body)
        if mechanism != scram.MECHANISM:
            await _refuse(writer, "28000", f"SASL authentication mechanism {mechanism} is not supported")
            return None
        exchange = scram.ServerSide(verifier)
        writer.write(protocol.authentication(protocol.AUTH_SASL_CONTINUE, exchange.challenge(client_first)))
        await writer.drain()
        kind, body = await protocol.read_message(reader)
        if kind != b"p":
            raise protocol.ProtocolError("expected a SASLResponse")
        checked = exchange.check(body)
        if checked is None:
            await _refuse(writer, "28P01", f'password authentication failed for user "{TENANT_ROLE}"')
            return None
        client_key, server_final = checked
        writer.write(protocol.authentication(protocol.AUTH_SASL_FINAL, server_final))
        await writer.drain()
        return client_key

    def _wake(self, held: contextlib.ExitStack, ref: str) -> int:
        """The running instance's port, held in use (so not stopped as idle) until ``held`` closes.
        A ref with no instance is refused before ``using`` would record it as used."""
        if not self.instances.exists(ref):
            raise Problem(404, f"no instance {ref}")
        return held.enter_context(self.instances.using(ref)).port

    async def _splice(
        self,
        client_reader: asyncio.StreamReader,
        client_writer: asyncio.StreamWriter,
        server_reader: asyncio.StreamReader,
        server_writer: asyncio.StreamWriter,
        port: int,
    ) -> None:
        key = None

        async def upstream() -> None:
            await _copy(client_reader, server_writer)

        async def downstream() -> None:
            nonlocal key
            key = await protocol.relay_until_ready(server_reader, client_writer)
            if key is not None:
                self._backend_keys[key] = port
            await _copy(server_reader, client_writer)

        tasks = [asyncio.create_task(upstream()), asyncio.create_task(downstream())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if key is not None:
                self._backend_keys.pop(key, None)

    async def _forward_cancel(self, cancel: protocol.Cancel) -> None:
        """To the instance whose session sent this key; an unknown key is dropped, as PostgreSQL
        drops a CancelRequest naming no backend (the client learns nothing either way)."""
        port = self._backend_keys.get(cancel.key)
        if port is None:
            return
        _, writer = await asyncio.open_connection(HOST, port)
        try:
            writer.write(cancel.packet)
            await writer.drain()
        finally:
            writer.close()


async def _log_in(
    server_reader: asyncio.StreamReader,
    server_writer: asyncio.StreamWriter,
    client_writer: asyncio.StreamWriter,
    client_key: bytes,
) -> bool:
    """Answer the instance's SCRAM exchange with the client's ClientKey. True once it accepted
    (its AuthenticationOk and what follows are relayed as usual); else its ErrorResponse went to
    the client (a verifier kept from before a password change: the instance has the last word)."""
    exchange = scram.ClientSide(client_key)
    while True:
        kind, body = await protocol.read_message(server_reader)
        if kind == b"E":
            client_writer.write(protocol.message(kind, body))
            await client_writer.drain()
            return False
        if kind != b"R" or len(body) < 4:
            raise protocol.ProtocolError(f"unexpected message {kind!r} from the instance during authentication")
        code = int.from_bytes(body[:4], "big")
        if code == protocol.AUTH_SASL:
            server_writer.write(protocol.sasl_initial(scram.MECHANISM, exchange.first()))
        elif code == protocol.AUTH_SASL_CONTINUE:
            server_writer.write(protocol.message(b"p", exchange.final(body[4:])))
        elif code == protocol.AUTH_SASL_FINAL:
            return True
        else:
            raise protocol.ProtocolError(f"the instance asked for authentication {code}, not SCRAM")
        await server_writer.drain()


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()


async def _refuse(writer: asyncio.StreamWriter, code: str, message: str) -> None:
    writer.write(protocol.error_response(code, message))
    await writer.drain()
