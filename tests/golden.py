"""The golden output tree: the small fixture site built with the fixed test key.

    python tests/golden.py          regenerate tests/golden/small/ after an intended change

Only this explicit command rewrites the tree; tests/test_golden.py compares a
fresh build with it, file by file.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from conftest import SMALL, fixed_key, make_build, seeded_random  # noqa: E402
from PIL import Image  # noqa: E402

from credpress.vc import keys  # noqa: E402

GOLDEN = HERE / "golden" / "small"
# Copies of the package's static files, the fixture's images and the preview PNGs are kept as
# hashes, not as second copies (the pages, JSON and host files are kept whole).
HASHED = ("assets/", "images/")
HASHES = "copied-files.sha256"
# Preview PNGs are drawn by Pillow with the machine's font and FreeType, so their bytes
# differ between machines: the golden tree keeps their format and size, and
# tests/test_previews.py checks that two builds on one machine give the same bytes.
DRAWN = "previews/"


def golden_view(site: Path) -> dict[str, bytes]:
    """What the golden tree holds for a built *site*: path -> bytes."""
    view: dict[str, bytes] = {}
    hashes = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        if rel.startswith(HASHED):
            hashes.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {rel}\n")
        elif rel.startswith(DRAWN):
            with Image.open(path) as image:
                hashes.append(f"{image.format} {image.width}x{image.height} {image.mode}  {rel}\n")
        else:
            view[rel] = path.read_bytes()
    view[HASHES] = "".join(hashes).encode()
    return view


def build_fixture(workdir: Path) -> Path:
    """Build tests/fixtures/small (with a lock drawn from a seeded random source)."""
    content = workdir / "content"
    shutil.copytree(SMALL, content)
    key_path = workdir / "key.pem"
    keys.write_key_file(key_path, fixed_key())
    make_build(content, workdir / "_site", key_path, random_bytes=seeded_random())
    shutil.copy(content / "credpress.lock", workdir / "_site" / "credpress.lock.for-golden")
    return workdir / "_site"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        view = golden_view(build_fixture(Path(tmp)))
        if GOLDEN.exists():
            shutil.rmtree(GOLDEN)
        for rel, data in view.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_bytes(data)
    print(f"regenerated {GOLDEN}")


if __name__ == "__main__":
    main()
