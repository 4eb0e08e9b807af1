"""Fetching documents for the verifier, and resolving verification methods.

A :class:`Resolver` turns a URL into a parsed JSON document. ``--map PREFIX=DIR``
serves URLs under PREFIX from files in DIR (a built site), ``offline`` forbids
everything else, and otherwise only plain https is fetched: no http, no IP
addresses or localhost, no redirect to anything that would not itself be
allowed, a timeout and a size limit. Every answer, failures included, is kept
for the run, so 10,000 credentials cost one fetch of their DID document.

:func:`resolve_method` finds the public key behind a proof's
``verificationMethod``: did:key locally, did:web by its document URL
(SPEC-NOTES §3.3), or an https URL controller document (§3.5). It reports
policy problems (document id, key type, ``assertionMethod``) separately from
"could not find the key", so the verifier can say which check failed.
"""

from __future__ import annotations

import ipaddress
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from . import multibase
from .did import did_document_url

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
                rel = unquote(url[len(prefix):].split("?", 1)[0])  # a static host ignores the query
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


# --- Verification methods -----------------------------------------------------------


@dataclass(frozen=True)
class ResolvedMethod:
    """What a ``verificationMethod`` id led to.

    ``public_key`` is set when a Multikey with that id was found (enough to check
    a signature); ``error`` when it was not. ``problems`` are the rules the
    controller document broke even though the key was found.
    """

    method_id: str
    public_key: str | None = None
    controller: str | None = None
    document_id: str | None = None
    problems: tuple[str, ...] = ()
    error: str | None = None


def resolve_method(method_id: str, resolver: Resolver) -> ResolvedMethod:
    """Resolve (and cache for the run) one verification method id. Never raises."""
    return resolver.remember(("method", method_id), lambda: _resolve(method_id, resolver))


def _resolve(method_id: str, resolver: Resolver) -> ResolvedMethod:
    if not isinstance(method_id, str) or "#" not in method_id:
        return ResolvedMethod(str(method_id), error=f"verification method {method_id!r} has no #fragment")
    base = method_id.split("#", 1)[0]
    if base.startswith("did:key:"):
        return _did_key(method_id, base)
    if base.startswith("did:web:"):
        try:
            url = did_document_url(base)
        except ValueError as exc:
            return ResolvedMethod(method_id, error=str(exc))
        host = urlsplit(url).hostname or ""
        if network_url_problem(f"https://{host}/"):  # §3.3 step 2: no IP addresses
            return ResolvedMethod(method_id, error=f"{base} is not a valid did:web DID (host {host!r})")
    elif base.startswith("https://"):
        url = base  # §3.5: a controller document at the URL without its fragment
    elif base.startswith("did:"):
        return ResolvedMethod(method_id, error=f"unsupported DID method in {method_id} (did:web and did:key are)")
    else:
        return ResolvedMethod(method_id, error=f"verification method {method_id} is neither a DID URL nor an https URL")
    try:
        document = resolver.fetch_json(url)
    except FetchError as exc:
        return ResolvedMethod(method_id, error=f"cannot resolve {base}: {exc}")
    return _from_controller_document(method_id, base, document)


def _did_key(method_id: str, did: str) -> ResolvedMethod:
    """did:key: the key is the identifier; its only VM is ``did:key:X#X`` (SPEC-NOTES §3.2)."""
    key = did[len("did:key:"):]
    fragment = method_id.split("#", 1)[1]
    if fragment != key:
        return ResolvedMethod(method_id, error=f"did:key verification method must be {did}#{key}")
    try:
        multibase.decode_public_key(key)
    except ValueError as exc:
        return ResolvedMethod(method_id, error=f"{did}: {exc}")
    return ResolvedMethod(method_id, public_key=key, controller=did, document_id=did)


def _ids(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _from_controller_document(method_id: str, base: str, document: Any) -> ResolvedMethod:
    if not isinstance(document, dict):
        return ResolvedMethod(method_id, error=f"the document for {base} is not a JSON object")
    doc_id = document.get("id")
    method = next(
        (m for m in _ids(document.get("verificationMethod")) if isinstance(m, dict) and m.get("id") == method_id), None
    )
    if method is None:
        return ResolvedMethod(method_id, document_id=doc_id,
                              error=f"{method_id} is not in the verificationMethod list of {base}")
    problems = []
    # did:web §3.3 step 5 / CID §3.5 step 2: the document describes what it was fetched for.
    if doc_id != base:
        problems.append(f"the document fetched for {base} has id {doc_id!r}")
    if method.get("type") != "Multikey":
        problems.append(f"{method_id} has type {method.get('type')!r}, not Multikey")
    # CID §2.2: a method with a "revoked" time must not be used to verify anything.
    if method.get("revoked") is not None:
        problems.append(f"{method_id} was revoked by its controller on {method.get('revoked')}")
    # §3.4: assertionMethod lists the full id as a string; an embedded or relative one does not count.
    if method_id not in [m for m in _ids(document.get("assertionMethod")) if isinstance(m, str)]:
        problems.append(f"{method_id} is not listed under assertionMethod of {base}")
    controller = method.get("controller")
    if controller != doc_id:
        problems.append(f"{method_id} has controller {controller!r}, not the document {doc_id!r}")
    public_key = method.get("publicKeyMultibase")
    try:
        multibase.decode_public_key(public_key)  # type: ignore[arg-type]
    except ValueError as exc:
        return ResolvedMethod(method_id, controller=controller if isinstance(controller, str) else None,
                              document_id=doc_id, problems=tuple(problems), error=f"{method_id}: {exc}")
    return ResolvedMethod(method_id, public_key=public_key, controller=controller if isinstance(controller, str) else None,
                          document_id=doc_id, problems=tuple(problems))
