#!/usr/bin/env python3
"""Fail when private key material is committed (pre-commit hook and CI step).

    python scripts/check_private_keys.py [FILE ...]     (default: every file git tracks)

Finds PEM/OpenSSH private keys, JWKs with a private part ("d"), the
secretKeyMultibase property with a value, and multibase Ed25519 secret keys (z3u2…, checked
by decoding them, so ordinary base58 text does not trip it). Exit 1 and name the
file and line, never the key.

The only keys allowed are the published specification test keys listed in
PUBLISHED_TEST_KEYS (tests/data/specs/MANIFEST.md): the test vectors need them to
reproduce the published signatures, and they sign nothing of ours.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from credpress.vc import multibase  # noqa: E402

# Public keys of the test keys the specifications publish with their test vectors
# (vendored under tests/data/specs/test-vectors): a secret key is allowed only if it
# is one of these.
PUBLISHED_TEST_KEYS = {
    "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",  # W3C vc-di-eddsa TestVectors/keyPair.json
    "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",  # 1EdTech OB 3.0 / CLR 2.0 linked-data-proof pages
}

SECRET_PROPERTY = re.compile(r'"(?:secret|private)KeyMultibase"\s*:\s*"(z[^"]*)')
PATTERNS = [
    (re.compile(r'"d"\s*:\s*"[A-Za-z0-9_-]{40,}"'), 'a JWK private key ("d")'),
]
# A PEM block with a real body (not just the header line in a test or doc).
PEM = re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----\s*\n[A-Za-z0-9+/=]{40,}")
MULTIBASE = re.compile(r"\bz[1-9A-HJ-NP-Za-km-z]{45,95}\b")


def _published_test_key(candidate: str) -> bool:
    try:
        seed = multibase.decode_secret_key(candidate)
    except ValueError:
        return False
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
    return multibase.encode_public_key(public) in PUBLISHED_TEST_KEYS


def findings(path: Path) -> list[tuple[int, str]]:
    try:
        text = path.read_text("utf-8")
    except (UnicodeDecodeError, OSError):
        return []
    found = [(text[: m.start()].count("\n") + 1, "a PEM private key") for m in PEM.finditer(text)]
    for number, line in enumerate(text.splitlines(), 1):
        for match in SECRET_PROPERTY.finditer(line):
            if not _published_test_key(match.group(1)):
                found.append((number, "a secret key property with a value"))
        for pattern, what in PATTERNS:
            if pattern.search(line):
                found.append((number, what))
        for candidate in MULTIBASE.findall(line):
            try:
                multibase.decode_secret_key(candidate)
            except ValueError:
                continue
            if not _published_test_key(candidate):
                found.append((number, "a multibase Ed25519 secret key"))
    return found


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or [
        Path(p)
        for p in subprocess.run(["git", "ls-files"], capture_output=True, text=True, check=True).stdout.splitlines()
    ]
    bad = [(path, number, what) for path in files if path.is_file() for number, what in findings(path)]
    for path, number, what in bad:
        print(f"{path}:{number}: looks like {what}; never commit private keys", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
