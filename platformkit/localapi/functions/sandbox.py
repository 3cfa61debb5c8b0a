"""What a function's Deno process may touch: the network except loopback, private, link-local and
this machine's own addresses (unless the operator names hosts to allow), its own bundle read-only,
the environment variables functions are given and nothing else, no subprocesses, FFI or OS facts.

The network rule is Deno's own ``--deny-net`` with CIDR ranges. Deno checks those ranges before a
connection *and* against every address a name resolves to (fetch, WebSocket, ``Deno.connect``,
``node:net``), so ``localhost``, this machine's hostname, ``2130706433`` or a public name pointing at
``127.0.0.1`` are all refused, and a name that re-resolves between the check and the connection
gains nothing. Older Deno builds lack the resolved-address check, so :func:`refusal` probes the
installed Deno once and invocations are refused rather than run unconfined. IPv6, which Deno
cannot deny by range, is closed at the kernel instead (:mod:`.ipv6`)."""

from __future__ import annotations

import fcntl
import functools
import ipaddress
import socket
import struct
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Loopback, "this network", private, carrier-grade NAT and link-local (cloud metadata lives at
# 169.254.169.254). IPv4-mapped IPv6 spellings (``[::ffff:127.0.0.1]``) are checked as IPv4 by Deno.
DENIED_NETWORKS: tuple[ipaddress.IPv4Network, ...] = tuple(
    ipaddress.IPv4Network(cidr)
    for cidr in (
        "0.0.0.0/8",
        "127.0.0.0/8",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "169.254.0.0/16",
        # IETF protocol assignments, benchmarking (test hosts), multicast, reserved: no public
        # service a function needs lives there.
        "192.0.0.0/24",
        "198.18.0.0/15",
        "224.0.0.0/4",
        "240.0.0.0/4",
        # Documentation ranges (TEST-NET-1/2/3) and the retired 6to4 relay: not globally
        # reachable either, and a machine may sit on one (this one is on 192.0.2.0/24).
        "192.0.2.0/24",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "192.88.99.0/24",
    )
)
# Deno 2.9 parses no IPv6 ranges in --deny-net (``fc00::/7`` is refused as a flag), only single
# addresses: IPv6 loopback and unspecified, plus this machine's own IPv6 addresses (own_addresses).
# Other hosts of the machine's IPv6 networks are kept off by the process having no IPv6 socket
# at all (functions/ipv6.py); these entries stay for where that filter is not needed.
DENIED_IPV6: tuple[ipaddress.IPv6Address, ...] = (ipaddress.IPv6Address("::1"), ipaddress.IPv6Address("::"))


def allowed_host(entry: str) -> str:
    """One ``function_allowed_hosts`` entry: a host name or IP address, without scheme or port
    (Deno cannot scope an exception to a port, so a port would promise more than it keeps)."""
    host = entry.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if not host or any(mark in host for mark in ":/@ ") or host.strip(".") != host:
        raise ValueError(f"function_allowed_hosts: {entry!r} is not a host name or IP address (no scheme or port)")
    return host


def resolve(host: str) -> set[Address]:
    """The addresses a host name (or IP literal) stands for now; none when it does not resolve."""
    try:
        return {ipaddress.ip_address(info[4][0]) for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)}
    except (OSError, UnicodeError):
        return set()


def own_addresses() -> set[Address]:
    """This machine's interface addresses: the local API and the site may listen on a public one."""
    found: set[Address] = set()
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for _, name in socket.if_nameindex():
            try:  # SIOCGIFADDR: the interface's IPv4 address
                packed = fcntl.ioctl(probe.fileno(), 0x8915, struct.pack("256s", name.encode()[:15]))
                found.add(ipaddress.IPv4Address(packed[20:24]))
            except OSError:
                continue
    except OSError:
        pass
    finally:
        probe.close()
    try:  # hex address, index, prefix, scope, flags, name
        for line in Path("/proc/net/if_inet6").read_text().splitlines():
            found.add(ipaddress.IPv6Address(bytes.fromhex(line.split()[0])))
    except (OSError, ValueError, IndexError):
        pass
    return found


def local_networks(
    route: Path = Path("/proc/net/route"),
) -> tuple[set[ipaddress.IPv4Network], set[ipaddress.IPv4Address]]:
    """The IPv4 networks this machine is directly on, and its gateways, from the kernel's routing
    table: its neighbours (the host of a VM or container, the office network, the router) are
    denied like private ranges even when their addresses are public ones. None where there is
    no such table."""
    networks: set[ipaddress.IPv4Network] = set()
    gateways: set[ipaddress.IPv4Address] = set()
    try:
        lines = route.read_text().splitlines()[1:]
    except OSError:
        return networks, gateways
    for line in lines:
        fields = line.split()
        if len(fields) < 8 or fields[0] == "lo":
            continue
        try:  # hex, in the kernel's (little-endian) byte order
            destination, gateway, mask = (
                ipaddress.IPv4Address(bytes.fromhex(f)[::-1]) for f in (fields[1], fields[2], fields[7])
            )
        except ValueError:
            continue
        if int(gateway):
            gateways.add(gateway)
        elif int(destination) and int(mask):
            networks.add(ipaddress.IPv4Network(f"{destination}/{mask}", strict=False))
    return networks, gateways


def _without(networks: Iterable[ipaddress.IPv4Network], addresses: Iterable[Address]) -> list[ipaddress.IPv4Network]:
    result = list(networks)
    for address in addresses:
        if address.version != 4:
            continue
        single = ipaddress.IPv4Network(address)
        carved: list[ipaddress.IPv4Network] = []
        for network in result:
            carved.extend(network.address_exclude(single) if single.subnet_of(network) else [network])
        result = carved
    return result


def _entry(address: Address, port: int | None = None) -> str:
    host = f"[{address}]" if address.version == 6 else str(address)
    return host if port is None else f"{host}:{port}"


def denied_net(allowed_hosts: Sequence[str], own_ports: Iterable[int]) -> list[str]:
    """``--deny-net`` entries: the denied ranges, the networks this machine is on, its gateways
    and its own addresses, less the addresses
    the allowed hosts resolve to now; on those, the ports the local API and the calling site
    answer on stay denied, so allowing ``localhost`` still keeps functions off this API."""
    opened = {address for host in allowed_hosts for address in resolve(host)}
    neighbours, gateways = local_networks()
    denied = [*DENIED_NETWORKS, *(n for n in neighbours if not any(n.subnet_of(d) for d in DENIED_NETWORKS))]
    singles = {*DENIED_IPV6, *own_addresses(), *gateways} - opened
    singles = {a for a in singles if a.version == 6 or not any(a in network for network in denied)}
    entries = [str(network) for network in _without(denied, opened)]
    entries += [_entry(address) for address in sorted(singles, key=str)]
    entries += [_entry(address, port) for address in sorted(opened, key=str) for port in sorted(set(own_ports))]
    return entries


def permissions(
    root: Path, env: Mapping[str, str], allowed_hosts: Sequence[str], own_ports: Iterable[int]
) -> list[str]:
    """The ``deno run`` permission flags for one invocation of the bundle unpacked at ``root``."""
    return [
        "--no-prompt",
        "--allow-net",
        "--deny-net=" + ",".join(denied_net(allowed_hosts, own_ports)),
        f"--allow-read={root}",
        "--deny-write",
        "--deny-run",
        "--deny-ffi",
        "--deny-sys",
        # Only the variables functions are given; any other name reads as undefined (so libraries
        # probing NODE_ENV and the like keep working) rather than revealing the runtime's own.
        "--allow-env=" + ",".join(sorted(env)),
        "--ignore-env",
    ]


PROBE = """
try {
  await fetch("http://localhost:1024/");
  console.log("reached");
} catch (error) {
  console.log(String(error?.cause ?? error).includes("Requires net access") ? "denied" : "unconfined");
}
"""


@functools.cache
def refusal(deno: str) -> str | None:
    """Why this Deno cannot be trusted to sandbox functions, or None when it can: it must accept
    the flags above and refuse a name that resolves into a denied range (checked once per binary)."""
    command = [deno, "run", "--quiet", *permissions(Path("/nonexistent"), {"X": ""}, (), ()), "-"]
    try:
        done = subprocess.run(
            command, input=PROBE.encode(), capture_output=True, timeout=30, env={"NO_COLOR": "1"}, cwd="/"
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"the Deno at {deno} could not be run ({type(exc).__name__})"
    if done.stdout.decode().strip() != "denied":
        return (
            f"the Deno at {deno} cannot keep functions off loopback and private networks"
            " (it needs CIDR --deny-net checked against resolved addresses, and --ignore-env: Deno 2.9 or later;"
            " `make deno` installs one)"
        )
    return None


def own_ports(host_header: str, server_port: str | int | None) -> set[int]:
    """The ports this invocation came in on: the server's own and the one in the Host the caller
    used (the site's, when the local API is mounted in it or sits behind a proxy)."""
    ports = set()
    for candidate in (str(server_port or ""), host_header.rpartition("]")[2].rpartition(":")[2]):
        if candidate.isdigit() and 0 < int(candidate) < 65536:
            ports.add(int(candidate))
    return ports
