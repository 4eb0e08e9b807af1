#!/usr/bin/env python3
"""Fail when private key material is committed (pre-commit hook and CI step).

    python scripts/check_private_keys.py [FILE ...]     (default: every file git tracks)

Finds PEM/OpenSSH private keys, JWKs with a private part ("d"), the
secretKeyMultibase property with a value, and multibase Ed25519 secret keys (z3u2…, checked
by decoding them, so ordinary base58 text does not trip it). Exit 1 and name the
file and line, never the key.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from credpress.vc import multibase  # noqa: E402

PATTERNS = [
    (re.compile(r'"(?:secret|private)KeyMultibase"\s*:\s*"z'), "a secret key property with a value"),
    (re.compile(r'"d"\s*:\s*"[A-Za-z0-9_-]{40,}"'), "a JWK private key (\"d\")"),
]
# A PEM block with a real body (not just the header line in a test or doc).
PEM = re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----\s*\n[A-Za-z0-9+/=]{40,}")
MULTIBASE = re.compile(r"\bz[1-9A-HJ-NP-Za-km-z]{45,95}\b")


def findings(path: Path) -> list[tuple[int, str]]:
    try:
        text = path.read_text("utf-8")
    except (UnicodeDecodeError, OSError):
        return []
    found = [(text[: m.start()].count("\n") + 1, "a PEM private key") for m in PEM.finditer(text)]
    for number, line in enumerate(text.splitlines(), 1):
        for pattern, what in PATTERNS:
            if pattern.search(line):
                found.append((number, what))
        for candidate in MULTIBASE.findall(line):
            try:
                multibase.decode_secret_key(candidate)
            except ValueError:
                continue
            found.append((number, "a multibase Ed25519 secret key"))
    return found


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or [Path(p) for p in subprocess.run(
        ["git", "ls-files"], capture_output=True, text=True, check=True).stdout.splitlines()]
    bad = [(path, number, what) for path in files if path.is_file() for number, what in findings(path)]
    for path, number, what in bad:
        print(f"{path}:{number}: looks like {what}; never commit private keys", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
