#!/usr/bin/env python3
"""Fail when content/site.yaml's base_url is not where GitHub Pages publishes the site.

    python scripts/check_base_url.py PAGES_BASE_URL [--content DIR]

PAGES_BASE_URL is the ``base_url`` output of ``actions/configure-pages``, such as
``https://org.github.io/repo`` (no trailing slash). Every credential address and
did:web identifier is built from base_url, so a site published anywhere else has
credentials nobody can verify. Trailing slashes do not count; the scheme and host
compare case-insensitively, the path exactly. Exit 0 when they match, 1 when
not (with the fix), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import yaml

# The comparison is credpress's own (`credpress check --pages-url`), so it lives in one place.
from credpress.site.pages_url import normalised, same_site

__all__ = ["main", "normalised", "same_site", "site_base_url"]


def site_base_url(content: Path) -> str:
    """base_url from site.yaml in *content*; ValueError when there is none."""
    path = content / "site.yaml"
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"{path}: cannot read it: {error}") from None
    value = data.get("base_url") if isinstance(data, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{path}: no base_url")
    return value.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages_base_url", help="the base_url output of actions/configure-pages")
    parser.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    args = parser.parse_args(argv)
    if not urlsplit(args.pages_base_url).hostname:
        parser.error(f"not an absolute URL: {args.pages_base_url!r}")
    site_yaml = args.content / "site.yaml"
    try:
        ours = site_base_url(args.content)
    except ValueError as error:
        return fail(site_yaml, str(error))
    if same_site(ours, args.pages_base_url):
        print(f"{site_yaml}: base_url {ours} is where GitHub Pages publishes this site")
        return 0
    expected = args.pages_base_url.strip().rstrip("/") + "/"
    return fail(
        site_yaml,
        f"{site_yaml}: base_url is {ours} but GitHub Pages publishes this site at {expected}. "
        "Every credential address and did:web identifier is built from base_url, so these "
        f"credentials could not be verified there. Set base_url: {expected} in {site_yaml}, "
        "or set that custom domain in Settings → Pages.",
    )


def fail(site_yaml: Path, message: str) -> int:
    if os.environ.get("GITHUB_ACTIONS") == "true":  # an annotation on the run's summary page
        print(f"::error file={site_yaml}::{message}")
    print(message, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
