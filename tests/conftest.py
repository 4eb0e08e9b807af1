"""Shared fixtures: a fixed signing key, copies of content folders, a build helper."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from credpress.pipeline import BuildOptions, build
from credpress.vc import keys

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "content"
SMALL = Path(__file__).resolve().parent / "fixtures" / "small"
# Published test vectors, copied into the repository (see tests/data/specs/MANIFEST.md).
SPECS = Path(__file__).resolve().parent / "data" / "specs"

# Hypothesis: random examples locally (each run explores new ones), the same examples
# on every CI run (a CI failure is reproducible, never a flake of the draw).
settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

# A fixed test key (never used outside tests): seed bytes 0..31.
TEST_SEED = bytes(range(32))


def fixed_key() -> keys.SigningKey:
    return keys.from_seed(TEST_SEED, "test key")


def seeded_random(seed: int = 7):
    rng = random.Random(seed)
    return lambda n: bytes(rng.getrandbits(8) for _ in range(n))


def make_build(content: Path, out: Path, key_path: Path, **extra) -> object:
    options = BuildOptions(content=content, out=out, key_path=key_path, environ={}, warn=lambda m: None, **extra)
    return build(options)


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys" / "signing-key.pem"
    keys.write_key_file(path, fixed_key())
    return path


@pytest.fixture
def small_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(SMALL, target)
    return target


@pytest.fixture
def example_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(EXAMPLE, target)
    return target


@pytest.fixture(scope="session")
def example_site(tmp_path_factory) -> Path:
    """The shipped example content built once with the fixed key (read-only use)."""
    root = tmp_path_factory.mktemp("example")
    content = root / "content"
    shutil.copytree(EXAMPLE, content)
    key_path = root / "key.pem"
    keys.write_key_file(key_path, fixed_key())
    make_build(content, root / "_site", key_path)
    return root / "_site"


@pytest.fixture(scope="session")
def example_site_in_lists(tmp_path_factory) -> Path:
    """The example content as if its issuer had spilled into later status lists: every lock
    entry but the first two moved to list 2 or 3 (same bit), built once with the fixed key."""
    import json

    from credpress.vc.bitstring import LIST_BITS

    root = tmp_path_factory.mktemp("example-lists")
    content = root / "content"
    shutil.copytree(EXAMPLE, content)
    lock = content / "credpress.lock"
    data = json.loads(lock.read_text("utf-8"))
    for n, entry in enumerate(data["awards"].values()):
        entry["status_index"] += 0 if n < 2 else (1 + n % 2) * LIST_BITS
    lock.write_text(json.dumps(data, indent=2) + "\n", "utf-8")
    key_path = root / "key.pem"
    keys.write_key_file(key_path, fixed_key())
    make_build(content, root / "_site", key_path)
    return root / "_site"
