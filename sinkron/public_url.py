"""PUBLIC_URL, the one source of every link: its default (where this
machine can be reached), what the running server uses (so the CLI prints the
same links), and what it says about itself (loopback, origin)."""
from __future__ import annotations

import ipaddress
import json
import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

# Any address outside this machine will do: connecting a UDP socket only asks
# the kernel for the route (and so the source address); no packet is sent.
_ROUTE_PROBE = ("192.0.2.1", 9)  # TEST-NET-1 (RFC 5737)
_WILDCARDS = ("", "0.0.0.0", "::", "[::]")


def default_route_address() -> str | None:
    """The address of the interface that holds the default route, or None
    when the machine has no route out (no network, or a loopback-only one)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(_ROUTE_PROBE)
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if address in ("0.0.0.0", "") else address


def default_public_url(host: str, port: int) -> str:
    """The address phones use when none is configured.

    Listening on every interface: the default-route interface's address,
    else the host name. Listening on one address: that address."""
    if host in _WILDCARDS:
        host = default_route_address() or socket.gethostname()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def is_loopback_url(url: str) -> bool:
    """Whether only this machine can open `url` (localhost, 127.x, ::1)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, as browsers send it in `Origin`."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


SERVER_RECORD = "server.json"


def record_server(instance_path: str, public_url: str) -> None:
    """`python app.py` notes the address it serves under, for CLI commands
    run later without PUBLIC_URL (e.g. with another PORT in their shell)."""
    path = Path(instance_path) / SERVER_RECORD
    path.write_text(json.dumps({"public_url": public_url, "pid": os.getpid()}))


def forget_server(instance_path: str) -> None:
    path = Path(instance_path) / SERVER_RECORD
    try:
        record = json.loads(path.read_text())
        if record.get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def running_server_url(instance_path: str) -> str | None:
    """The public URL of the server running over this instance folder, if any."""
    try:
        record = json.loads((Path(instance_path) / SERVER_RECORD).read_text())
        pid, url = int(record["pid"]), str(record["public_url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None  # that server has stopped
    except PermissionError:
        pass  # alive, run by another user
    return url
