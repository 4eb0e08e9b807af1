"""Fetching documents for the verifier, safely.

A :class:`Resolver` turns a URL into a parsed JSON document. ``--map PREFIX=DIR``
serves URLs under PREFIX from files in DIR (a built site), ``offline`` forbids
everything else, and otherwise only plain https is fetched: no http, no IP
addresses or localhost, no redirect to anything that would not itself be
allowed, a timeout and a size limit. Every answer, failures included, is kept
for the run, so 10,000 credentials cost one fetch of their DID document.
"""

from __future__ import annotations

import ipaddress
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

TIMEOUT_SECONDS = 10.0
MAX_BYTES = 2_000_000
MAX_REDIRECTS = 3
ACCEPT = "application/did+ld+json, application/ld+json, application/vc+ld+json, application/json;q=0.9"


class FetchError(Exception):
    """A document could not be had; the message says why, in plain words."""


def normalise_prefix(prefix: str) -> str:
    """``https://host`` and ``https://host/a`` → ``…/``: a prefix means "inside"."""
    return prefix if prefix.endswith("/") else prefix + "/"


def network_url_problem(url: str) -> str | None:
    """Why *url* may not be fetched from the network (None when it may)."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        return f"only https URLs are fetched, not {url}"
    if parts.username or parts.password:
        return f"URL with a user name or password refused: {url}"
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return f"URL has no host: {url}"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return f"URL with an IP address refused (a name is required): {url}"
    if host == "localhost" or host.endswith(".localhost"):
        return f"URL on localhost refused: {url}"
    return None


class _HttpsOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to a URL we would fetch ourselves."""

    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        problem = network_url_problem(newurl)
        if problem:
            raise FetchError(f"redirect from {req.full_url} refused: {problem}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _https_get(url: str, timeout: float, max_bytes: int) -> bytes:
    opener = urllib.request.build_opener(_HttpsOnlyRedirects())
    request = urllib.request.Request(url, headers={"Accept": ACCEPT, "User-Agent": "credpress-verify"})
    try:
        with opener.open(request, timeout=timeout) as response:
            final = response.geturl()
            problem = network_url_problem(final)
            if problem:
                raise FetchError(problem)
            return read_limited(response, url, timeout, max_bytes)
    except FetchError:
        raise
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"cannot fetch {url}: {reason}") from None


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

    def _load(self, url: str) -> Any:
        self.fetches += 1
        mapped = self._mapped_file(url)
        if mapped is not None:
            data = self._read_file(mapped, url)
        elif self.offline:
            raise FetchError(f"offline: refusing to fetch {url} (not under any --map prefix)")
        else:
            problem = network_url_problem(url)
            if problem:
                raise FetchError(problem)
            data = self._http_get(url, self.timeout, self.max_bytes)
        try:
            return json.loads(data)
        except (UnicodeDecodeError, ValueError):
            raise FetchError(f"{url} is not a JSON document") from None

    def _mapped_file(self, url: str) -> Path | None:
        for prefix, folder in self.maps:
            if url.startswith(prefix):
                rel = unquote(url[len(prefix) :].split("?", 1)[0])  # a static host ignores the query
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
