#!/usr/bin/env python3
"""Time against size for hostile inputs that used to cost quadratic time.

    python bench/hostile_inputs.py [--sizes-kb 3,6,12,22,44] [--max-brackets 20000] [--only jsonld|markdown|json]

1. A credential padded with properties its @context does not define: the
   dropped-term check (``credpress.vc.jsonld.canonize``) has to name every one.
2. Markdown with a run of ``[`` (``credpress.site.render.markdown_html``).
3. Deeply nested JSON given to ``credpress verify`` (``credpress.verify.run``).

Each line is one size and the seconds it took; linear growth means the time
per unit stays flat as the size doubles.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from credpress.errors import JsonLdError  # noqa: E402
from credpress.site.render import markdown_html  # noqa: E402

CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "id": "https://example.com/credentials/3527",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "https://example.edu/issuers/565049", "type": ["Profile"], "name": "Example Corp"},
    "validFrom": "2010-01-01T00:00:00Z",
    "name": "Teamwork Badge",
    "credentialSubject": {
        "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://example.com/achievements/teamwork",
            "type": ["Achievement"],
            "criteria": {"narrative": "Nominated by peers."},
            "description": "Collaboration within a group.",
            "name": "Teamwork",
        },
    },
}


def hostile_credential(size: int) -> dict:
    """CREDENTIAL with one undefined term and evidence items until its JSON is *size* bytes.

    The old dropped-term search re-expanded the whole document once per JSON path,
    so every evidence field cost one more expansion of a growing document.
    """
    document = json.loads(json.dumps(CREDENTIAL))
    document["credentialSubject"]["nickname"] = "Ada"
    evidence = document.setdefault("evidence", [])
    while len(json.dumps(document)) < size:
        evidence.append({"id": f"https://example.com/e/{len(evidence)}", "type": ["Evidence"], "name": "Work"})
    return document


def time_once(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def bench_dropped_terms(sizes_kb: list[int]) -> None:
    from credpress.vc import jsonld

    print("dropped-term check (canonize refuses a credential with undefined terms)")
    for kb in sizes_kb:
        document = hostile_credential(kb * 1024)

        def refuse(document: dict = document) -> None:
            try:
                jsonld.canonize(document)
            except JsonLdError:
                return
            raise AssertionError("the hostile credential was accepted")

        seconds = time_once(refuse)
        print(f"  {kb:>4} KB  {seconds:8.3f} s  {seconds / kb * 1000:8.2f} ms/KB")


def bench_markdown(max_brackets: int) -> None:
    print("Markdown with a run of '['")
    count = 1250
    while count <= max_brackets:
        text = "[" * count + " learner"
        seconds = time_once(lambda text=text: markdown_html(text))
        print(f"  {count:>6} [  {seconds:8.3f} s  {seconds / count * 1e6:8.2f} µs/[")
        count *= 2


def bench_deep_json() -> None:
    from datetime import datetime, timezone

    from credpress.verify.fetch import Resolver
    from credpress.verify.run import find_targets, verify_targets

    print("credpress verify on deeply nested JSON")
    with tempfile.TemporaryDirectory() as folder:
        for depth in (1_000, 10_000, 100_000):
            path = Path(folder) / f"deep-{depth}.json"
            path.write_text("[" * depth + "]" * depth)

            def run(path: Path = path) -> None:
                list(verify_targets(find_targets([str(path)]), Resolver(offline=True), datetime.now(timezone.utc)))

            try:
                seconds = time_once(run)
            except RecursionError:
                print(f"  {depth:>7} levels  RecursionError (the run aborts)")
                continue
            print(f"  {depth:>7} levels  {seconds:8.3f} s")


def main() -> None:
    """Print the three tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes-kb", default="3,6,12,22,44", help="credential sizes, comma-separated")
    parser.add_argument("--max-brackets", type=int, default=20_000)
    parser.add_argument("--only", choices=("jsonld", "markdown", "json"))
    args = parser.parse_args()
    if args.only in (None, "jsonld"):
        bench_dropped_terms([int(n) for n in args.sizes_kb.split(",")])
    if args.only in (None, "markdown"):
        bench_markdown(args.max_brackets)
    if args.only in (None, "json"):
        bench_deep_json()


if __name__ == "__main__":
    main()
