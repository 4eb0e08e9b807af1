#!/usr/bin/env python3
"""credpress's whole build next to Digital Bazaar's signing alone, in one run.

    python bench/vs_digital_bazaar.py [N] [--scale 10000,65000]

(a) builds N synthetic awards with credpress in a fresh process and times the
whole process (start-up, sign, pages, status lists, write); (b) signs the same
N credentials with Digital Bazaar's @digitalbazaar/vc (eddsa-rdfc-2022, offline
document loader over credpress/data/contexts) in Node, timing the signing loop
only; prints ms per credential for both and the ratio (ours full build / their
signing alone). --scale also times full builds of those sizes, with the peak
memory of the build process and of its largest worker, and output bytes per
credential (past 65,536 awards an issuer's credentials go to a second status list). Needs tests/interop/node_modules
(see tests/interop/README.md).
Figures, not assertions: the machine's load (printed) moves them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from synthetic import disk_probe, make_content  # noqa: E402

from credpress.vc import keys  # noqa: E402

SEED = bytes(range(32))
# The build in its own process; reports its own peak RSS and its workers' largest.
CHILD = """
import json, resource, sys
from pathlib import Path
from credpress.pipeline import BuildOptions, build
content, out, key = map(Path, sys.argv[1:4])
result = build(BuildOptions(content=content, out=out, key_path=key, environ={}, warn=lambda m: None))
print(json.dumps({"credentials": result.credentials, "files": result.files,
    "self_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "workers_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def build(root: Path, count: int) -> dict[str, float]:
    """One full credpress build of *count* awards in a fresh process."""
    content = make_content(root / "content", count)
    key_path = root / "key.pem"
    if not key_path.exists():
        keys.write_key_file(key_path, keys.from_seed(SEED, "bench"))
    out = root / "_site"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(content), str(out), str(key_path)],
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"the build of {count} awards failed:\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    sizes = [p.stat().st_size for p in out.rglob("*") if p.is_file()]
    per_credential = [
        p.stat().st_size + (out / "credentials" / p.stem / "index.html").stat().st_size
        for p in (out / "credentials").glob("*.json")
    ]
    return {
        "seconds": elapsed,
        "credentials": report["credentials"],
        "self_mib": report["self_kib"] / 1024,
        "workers_mib": report["workers_kib"] / 1024,
        "site_bytes": sum(sizes),
        "credential_bytes": sum(per_credential) / max(len(per_credential), 1),
    }


def sign_with_digital_bazaar(out: Path, workdir: Path) -> dict[str, float]:
    """Digital Bazaar signs the credentials of *out* (their proofs removed), in one Node process."""
    unsigned = []
    for path in sorted((out / "credentials").glob("*.json")):
        document = json.loads(path.read_text("utf-8"))
        document.pop("proof", None)
        unsigned.append(document)
    source = workdir / "unsigned.json"
    source.write_text(json.dumps(unsigned), "utf-8")
    interop = REPO / "tests" / "interop"
    with source.open("rb") as stdin:
        done = subprocess.run(
            [
                "node",
                str(interop / "sign-db.mjs"),
                "--batch",
                "--seed",
                SEED.hex(),
                "--vm",
                "did:web:bench.example#key-1",
            ]
            + ["--contexts", str(REPO / "credpress" / "data" / "contexts")],
            stdin=stdin,
            cwd=interop,
            check=True,
            capture_output=True,
            text=True,
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def main() -> None:
    args = sys.argv[1:]
    scale: list[int] = []
    if "--scale" in args:
        at = args.index("--scale")
        scale = [int(x) for x in args[at + 1].split(",")]
        del args[at : at + 2]
    count = int(args[0]) if args else 2000
    with tempfile.TemporaryDirectory(dir=BENCH, prefix=".bench-") as tmp:
        root = Path(tmp)
        print(f"{load()} (before)")
        print(disk_probe(root))
        ours = build(root, count)
        theirs = sign_with_digital_bazaar(root / "_site", root)
        ours_ms = 1000 * ours["seconds"] / ours["credentials"]
        theirs_ms = theirs["ms"] / theirs["count"]
        print(
            f"credpress, whole build in a fresh process: {ours['credentials']} credentials in {ours['seconds']:.2f} s"
        )
        print(f"  = {ours_ms:.2f} ms per credential")
        print(f"Digital Bazaar @digitalbazaar/vc, signing alone: {theirs['count']} in {theirs['ms'] / 1000:.2f} s")
        print(f"  = {theirs_ms:.2f} ms per credential")
        print(f"ratio (ours full build / their signing alone): {ours_ms / theirs_ms:.3f}")
        print(
            f"output: {ours['site_bytes'] / ours['credentials']:,.0f} bytes of site per credential, "
            f"{ours['credential_bytes']:,.0f} bytes of credential JSON + badge page"
        )
        for size in scale:
            result = build(root / f"scale-{size}", size)
            print(
                f"full build of {size} awards: {result['seconds']:.1f} s "
                f"({1000 * result['seconds'] / result['credentials']:.2f} ms per credential); "
                f"peak RSS: build process {result['self_mib']:.0f} MiB, largest worker {result['workers_mib']:.0f} MiB, "
                f"at most {result['self_mib'] + (os.cpu_count() or 1) * result['workers_mib']:.0f} MiB together; "
                f"{result['site_bytes'] / result['credentials']:,.0f} bytes of site per credential (target: under 16,000)"
            )
        print(f"{load()} (after)")


if __name__ == "__main__":
    main()
