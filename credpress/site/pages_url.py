"""Is the site published where its base_url says? (``credpress check --pages-url``)

Every credential address and did:web identifier is built from ``base_url``
(did:web §3.2: the DID is the host and path the DID document is served from), so
a site published anywhere else has credentials nobody can verify. The Pages
workflow compares ``base_url`` with where GitHub Pages publishes the repository
(the ``base_url`` output of ``actions/configure-pages``) before it builds.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..errors import Problem

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalised(url: str) -> tuple[str, str, str]:
    """(scheme, host[:port], path without trailing slashes) of *url*: scheme and host
    compare case-insensitively and a default port is dropped (RFC 3986 §6.2.3)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:  # not a number: keep it, so it cannot match a real URL
        host = parts.netloc.lower()
    else:
        if port is not None and port != DEFAULT_PORTS.get(scheme):
            host = f"{host}:{port}"
    return scheme, host, parts.path.rstrip("/")


def same_site(site_base_url: str, pages_base_url: str) -> bool:
    """Whether two base URLs name the same place (trailing slashes do not count)."""
    return normalised(site_base_url) == normalised(pages_base_url)


def pages_url_problem(site_base_url: str, pages_base_url: str, site_yaml: str) -> Problem | None:
    """A problem naming the fix when *site_base_url* is not *pages_base_url*, else None."""
    if same_site(site_base_url, pages_base_url):
        return None
    expected = pages_base_url.strip().rstrip("/") + "/"
    return Problem(
        site_yaml,
        None,
        "base_url",
        f"is {site_base_url} but GitHub Pages publishes this site at {expected}. Every credential address "
        "and did:web identifier is built from base_url, so these credentials could not be verified there. "
        f"Set base_url: {expected} in {site_yaml}, or set that custom domain in Settings → Pages.",
    )
