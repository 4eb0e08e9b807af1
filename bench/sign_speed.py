#!/usr/bin/env python3
"""Signing benchmark: CPU ms per credential of credpress.sign.sign_credentials, serial.

    python bench/sign_speed.py [N] [--project=DIR] [--profile]        (default 2000)

Builds a synthetic project of N awards (in /dev/shm when there is one: the disk
is not what is measured), keeps the records the build signed, then signs them
again in this process, one worker, and prints the best of five runs (CPU time,
so another busy process disturbs it less) and a SHA-256 of every signed
credential's bytes. The project (its key, lock and so ids and salts) is new each
time unless --project names a folder: made there the first time, reused after,
so the SHA-256 of two versions of the signing code can be compared (it must not
change). --profile adds a cProfile of one more run.
"""

from __future__ import annotations

import cProfile
import hashlib
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import make_project  # noqa: E402

from credpress import pipeline, sign, workers  # noqa: E402
from credpress.pipeline import BuildOptions  # noqa: E402


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    count = int(args[0]) if args else 2000
    project = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--project=")), None)
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None, prefix="credpress-sign-") as tmp:
        root = Path(project or tmp)
        if project and (root / "key.pem").exists():
            options = BuildOptions(
                content=root / "content", out=root / "_site", key_path=root / "key.pem", environ={}, warn=lambda m: None
            )
        else:
            root.mkdir(parents=True, exist_ok=True)
            options = make_project(root, count)
        options.workers, options.cache = 1, False
        captured = []
        original = pipeline.sign_credentials

        def capture(model, key, records, progress=None):  # type: ignore[no-untyped-def]
            captured.append((model, key, records))
            return original(model, key, records, progress)

        pipeline.sign_credentials = capture
        try:
            pipeline.build(options)
        finally:
            pipeline.sign_credentials = original
    model, key, records = captured[0]
    with workers.limit(1):
        signed = sign.sign_credentials(model, key, records)  # (shapes learned, as in a build)
        digest = hashlib.sha256(b"".join(r.document_bytes for r in signed)).hexdigest()
        times = []
        for _ in range(5):
            start = time.process_time()
            sign.sign_credentials(model, key, records)
            times.append(time.process_time() - start)
        print(f"{len(records)} credentials: {1000 * min(times) / len(records):.3f} ms CPU per credential (best of 5)")
        print(f"signed bytes: sha256 {digest}")
        if "--profile" in sys.argv:
            profile = cProfile.Profile()
            profile.runcall(sign.sign_credentials, model, key, records)
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
