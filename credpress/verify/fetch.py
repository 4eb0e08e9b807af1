"""Fetching documents for the verifier, safely.

A :class:`Resolver` turns a URL into a parsed JSON document. ``--map PREFIX=DIR``
serves URLs under PREFIX from files in DIR (a built site), ``offline`` forbids
everything else, and otherwise only plain https is fetched: no http, no IP
addresses in any spelling or localhost, no redirect to anything that would not
itself be allowed, a timeout and a size limit. The host name is resolved here,
every address it resolves to must be a public (global) one, and the connection
goes to that checked address, not to a second lookup a DNS server could answer
differently. Documents must be I-JSON, nested at most 64 levels deep (:mod:`.jsondoc`).
Every answer, failures included, is kept for the run, so 10,000 credentials cost
one fetch of their DID document.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .jsondoc import JsonDocumentError, load_json

TIMEOUT_SECONDS = 10.0
MAX_BYTES = 2_000_000
MAX_REDIRECTS = 3
ACCEPT = "application/did+ld+json, application/ld+json, application/vc+ld+json, application/json;q=0.9"


class FetchError(Exception):
    """A document could not be had; the message says why, in plain words."""


def normalise_prefix(prefix: str) -> str:
    """``https://host`` and ``https://host/a`` → ``…/``: a prefix means "inside"."""
    return prefix if prefix.endswith("/") else prefix + "/"


# A host name: LDH labels (RFC 1123 §2.1) after IDNA, nothing a resolver or a URL
# parser could read as something else (no %, no brackets, no trailing junk).
_HOST_NAME = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*")
_NUMERIC_PART = re.compile(r"0[xX][0-9a-fA-F]*|[0-9]+")


def legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address *host* denotes to ``inet_aton`` (and browsers), if any.

    ``inet_aton`` (POSIX; the WHATWG URL Standard's IPv4 parser follows it) reads
    one to four dot-separated parts, each decimal, octal with a leading ``0`` or
    hex with ``0x``; the last part fills the remaining bytes. So ``127.1``,
    ``2130706433``, ``0x7f000001``, ``0177.0.0.1`` and ``0`` are all addresses.
    A host whose last label is numeric is treated as an address even when it is
    not a valid one (WHATWG URL §3.5 "ends in a number"): it is never a name.
    """
    parts = host.split(".")
    if parts and parts[-1] == "":
        parts = parts[:-1]
    if not parts or not _NUMERIC_PART.fullmatch(parts[-1]):
        return None
    values = []
    for part in parts:
        if not _NUMERIC_PART.fullmatch(part):
            return ipaddress.IPv4Address(0)  # "ends in a number" but not an address: refuse like one
        if part[:2].lower() == "0x":
            values.append(int(part[2:] or "0", 16))
        elif len(part) > 1 and part.startswith("0"):
            values.append(int(part, 8) if set(part) <= set("01234567") else -1)
        else:
            values.append(int(part))
    if len(values) > 4 or any(v < 0 for v in values):
        return ipaddress.IPv4Address(0)
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (4 - len(head)):
        return ipaddress.IPv4Address(0)
    number = last
    for position, value in enumerate(head):
        number += value << (8 * (3 - position))
    return ipaddress.IPv4Address(number)


def address_problem(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why the verifier must not connect to *address* (None for a public unicast address).

    Refused: loopback, private (RFC 1918, fc00::/7), link-local, multicast,
    reserved, unspecified, shared address space 100.64/10 (RFC 6598) and every
    other special-purpose block of the IANA registries (``is_global`` is false);
    an IPv6 address that embeds an IPv4 one (mapped ::ffff:0:0/96, NAT64
    64:ff9b::/96 (RFC 6052), 6to4 2002::/16, Teredo) is judged by that address.
    """
    embedded: ipaddress.IPv4Address | None = None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            embedded = address.ipv4_mapped
        elif address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        elif address.sixtofour is not None:
            embedded = address.sixtofour
        elif address.teredo is not None:
            embedded = address.teredo[1]
    if embedded is not None:
        inner = address_problem(embedded)
        return f"{address} embeds {embedded}: {inner}" if inner else None
    for flag in ("loopback", "private", "link_local", "multicast", "reserved", "unspecified"):
        if getattr(address, "is_" + flag):
            return f"{address} is a {flag.replace('_', '-')} address"
    if not address.is_global:
        return f"{address} is not a public address"
    return None


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def network_url_problem(url: str) -> str | None:
    """Why *url* may not be fetched from the network (None when it may).

    Checks the URL alone; the addresses its host resolves to are checked when
    connecting (:func:`resolve_host`).
    """
    parts = urlsplit(url)
    if parts.scheme != "https":
        return f"only https URLs are fetched, not {url}"
    if parts.username or parts.password:
        return f"URL with a user name or password refused: {url}"
    try:
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError:
        return f"URL with an invalid port refused: {url}"
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return f"URL has no host: {url}"
    if ":" in host or legacy_ipv4(host) is not None:
        return f"URL with an IP address refused (a name is required): {url}"
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return f"URL host is not a valid name: {url}"
    if not _HOST_NAME.fullmatch(ascii_host):
        return f"URL host is not a valid name: {url}"
    if ascii_host == "localhost" or ascii_host.endswith(".localhost"):
        return f"URL on localhost refused: {url}"
    return None


def resolve_host(host: str, port: int) -> list[str]:
    """The addresses to connect to for *host*: every one it resolves to, all checked.

    FetchError if it does not resolve or if any address is not public: a name
    with one private address among public ones could still be steered to it.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host}: {exc}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise FetchError(f"cannot resolve {host}: no addresses")
    for text in addresses:
        try:
            address = ipaddress.ip_address(text.split("%", 1)[0])
        except ValueError:
            raise FetchError(f"{host} resolves to {text!r}, which is not an IP address") from None
        problem = address_problem(address)
        if problem:
            raise FetchError(f"{host} resolves to {address}, refused: {problem}")
    return addresses


def open_tls(address: str, port: int, host: str, timeout: float | None, context: Any) -> Any:
    """A TLS socket to the checked *address*, verified as *host* (SNI and certificate)."""
    sock = socket.create_connection((address, port), timeout)
    try:
        return context.wrap_socket(sock, server_hostname=host)
    except BaseException:
        sock.close()
        raise


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to addresses resolved and checked beforehand, never to a fresh lookup.

    The host name stays the connection's ``host``: it is the Host header, the TLS
    server name and the name the certificate must match.
    """

    def __init__(self, host: str, *, addresses: list[str], **kwargs: Any):
        super().__init__(host, **kwargs)
        self._addresses = addresses

    def connect(self) -> None:
        """Connect to the first checked address that answers."""
        error: OSError | None = None
        for address in self._addresses:
            try:
                self.sock = open_tls(address, self.port, self.host, self.timeout, self._context)  # type: ignore[attr-defined]
                return
            except OSError as exc:
                error = exc
        raise error or OSError(f"cannot connect to {self.host}")


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    """Resolves and checks the host of every request, redirects included."""

    def https_open(self, req: urllib.request.Request) -> Any:
        """Open *req* over a connection pinned to its host's checked addresses."""
        problem = network_url_problem(req.full_url)
        if problem:
            raise FetchError(problem)
        parts = urlsplit(req.full_url)
        addresses = resolve_host(parts.hostname or "", parts.port or 443)

        def connection(host: str, **kwargs: Any) -> _PinnedHTTPSConnection:
            return _PinnedHTTPSConnection(host, addresses=addresses, **kwargs)

        return self.do_open(connection, req, context=self._context)  # type: ignore[attr-defined]


class _HttpsOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to a URL we would fetch ourselves."""

    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        problem = network_url_problem(newurl)
        if problem:
            raise FetchError(f"redirect from {req.full_url} refused: {problem}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    # Only these handlers: https (pinned), redirects, HTTP errors. No proxy from the
    # environment (a proxy would do its own lookup), no http:, file:, ftp: or data:.
    opener = urllib.request.OpenerDirector()
    for handler in (
        _PinnedHTTPSHandler(),
        _HttpsOnlyRedirects(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
        urllib.request.UnknownHandler(),
    ):
        opener.add_handler(handler)
    return opener


def _https_get(url: str, timeout: float, max_bytes: int) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": ACCEPT, "User-Agent": "credpress-verify"})
    try:
        with _opener().open(request, timeout=timeout) as response:
            final = response.geturl()
            problem = network_url_problem(final)
            if problem:
                raise FetchError(problem)
            return read_limited(response, url, timeout, max_bytes)
    except FetchError:
        raise
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url} answered HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, FetchError):
            raise exc.reason from None
        raise FetchError(f"cannot fetch {url}: {exc.reason}") from None
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise FetchError(f"cannot fetch {url}: {exc}") from None


def read_limited(response: Any, url: str, timeout: float, max_bytes: int) -> bytes:
    """The body of *response*, refusing more than *max_bytes* or more than *timeout* s."""
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise FetchError(f"{url} is larger than {max_bytes} bytes")
    # urllib's timeout is per socket read; a server that drips bytes must not hold
    # us longer than the whole allowance either.
    deadline = time.monotonic() + timeout
    body = b""
    while len(body) <= max_bytes:
        chunk = response.read(min(65536, max_bytes + 1 - len(body)))
        if not chunk:
            return body
        body += chunk
        if time.monotonic() > deadline:
            raise FetchError(f"{url} took longer than {timeout:g} s")
    raise FetchError(f"{url} is larger than {max_bytes} bytes")


class Resolver:
    """Fetches JSON documents by URL for one verification run (see module doc).

    Documents are shared between callers and must not be modified.
    """

    def __init__(
        self,
        maps: Iterable[tuple[str, Path | str]] = (),
        offline: bool = False,
        timeout: float = TIMEOUT_SECONDS,
        max_bytes: int = MAX_BYTES,
        http_get: Callable[[str, float, int], bytes] = _https_get,
    ):
        # Longest prefix first, so a more specific --map wins.
        self.maps = sorted(((normalise_prefix(p), Path(d)) for p, d in maps), key=lambda m: -len(m[0]))
        self.offline = offline
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._http_get = http_get
        self._documents: dict[str, Any] = {}
        self._memo: dict[Any, Any] = {}
        self.fetches = 0  # documents actually read or downloaded (for tests and stats)

    def fetch_json(self, url: str) -> Any:
        """The JSON document at *url* (fragment ignored); FetchError otherwise."""
        url = url.split("#", 1)[0]
        if url not in self._documents:
            try:
                self._documents[url] = self._load(url)
            except FetchError as exc:
                self._documents[url] = exc
        found = self._documents[url]
        if isinstance(found, FetchError):
            raise found
        return found

    def remember(self, key: Any, compute: Callable[[], Any]) -> Any:
        """Per-run memo for results derived from fetched documents (keys, status lists)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def fetch_bytes(self, url: str) -> bytes:
        """The bytes at *url* (not cached, fragment ignored): a badge page, a baked image.

        The same rules as :meth:`fetch_json`, except that a mapped URL ending in
        ``/`` reads that folder's ``index.html``, as a static host serves it.
        """
        url = url.split("#", 1)[0]
        self.fetches += 1
        return self._raw(url, index="index.html" if url.split("?", 1)[0].endswith("/") else "")

    def is_mapped(self, url: str) -> bool:
        """Whether *url* is under a ``--map`` prefix."""
        return any(url.startswith(prefix) for prefix, _ in self.maps)

    def _load(self, url: str) -> Any:
        self.fetches += 1
        data = self._raw(url)
        try:
            return load_json(data)
        except JsonDocumentError as exc:
            raise FetchError(f"{url} is not a JSON document we accept ({exc})") from None

    def _raw(self, url: str, index: str = "") -> bytes:
        mapped = self._mapped_file(url, index)
        if mapped is not None:
            return self._read_file(mapped, url)
        if self.offline:
            raise FetchError(f"offline: refusing to fetch {url} (not under any --map prefix)")
        problem = network_url_problem(url)
        if problem:
            raise FetchError(problem)
        return self._http_get(url, self.timeout, self.max_bytes)

    def _mapped_file(self, url: str, index: str = "") -> Path | None:
        for prefix, folder in self.maps:
            if url.startswith(prefix):
                rel = unquote(url[len(prefix) :].split("?", 1)[0]) + index  # a static host ignores the query
                root = folder.resolve()
                target = (root / rel).resolve()
                # A static host serves exactly this file: no ../ escapes, no index guessing.
                if not rel or not target.is_relative_to(root) or target == root:
                    raise FetchError(f"{url} does not name a file under --map {prefix}={folder}")
                return target
        return None

    def _read_file(self, path: Path, url: str) -> bytes:
        try:
            if not path.is_file():
                raise FetchError(f"{url}: no file {path} (from --map)")
            if path.stat().st_size > self.max_bytes:
                raise FetchError(f"{url} is larger than {self.max_bytes} bytes")
            return path.read_bytes()
        except OSError as exc:
            raise FetchError(f"{url}: cannot read {path}: {exc.strerror}") from None
