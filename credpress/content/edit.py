"""Edits to the provider's YAML that commands make for them (revoke, key rotation).

Edits are textual, so comments and formatting survive: a few lines are inserted
or one value replaced, at the line numbers the loader recorded. Each edit is
checked by loading the content again; if it did not have the intended effect
the file is restored and the command fails.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from ..errors import CredpressError
from ..output.writer import atomic_write
from .lock import Lock, award_key
from .model import Model


class EditError(CredpressError):
    """The command could not make its edit (nothing was changed)."""


def _file_of(model: Model, display: str) -> Path:
    return model.root / Path(display).relative_to(model.root.name)


def _item_end(lines: list[str], start: int) -> int:
    """Index of the last line of the YAML block that starts at *start* (0-based)."""
    indent = len(lines[start]) - len(lines[start].lstrip())
    last = start
    for index in range(start + 1, len(lines)):
        stripped = lines[index].strip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(lines[index]) - len(lines[index].lstrip()) <= indent:
            break
        last = index
    return last


def _edit_and_check(path: Path, new_text: str, check: Callable[[], bool], failure: str) -> None:
    old_text = path.read_text("utf-8")
    atomic_write(path, new_text)
    try:
        ok = check()
    except CredpressError:
        ok = False
    if not ok:
        atomic_write(path, old_text)
        raise EditError(failure)


def revoke(content: Path, credential: str, reason: str, when: date) -> str:
    """Add ``revoked: {date, reason}`` to the award of *credential*; returns its file:line."""
    from ..pipeline import check_content

    model, _ = check_content(content)
    credential_id = credential.rstrip("/").rsplit("/", 1)[-1].removesuffix(".json")
    key = Lock.read(content).by_credential_id().get(credential_id)
    award = next((a for a in model.awards if award_key(a) == key), None) if key else None
    if award is None:
        raise EditError(f"no award has credential id {credential_id} (see {content}/credpress.lock)")
    if award.revoked:
        raise EditError(f"{award.source}:{award.line}: already revoked on {award.revoked.date.isoformat()}")
    if not reason.strip() or "\n" in reason:
        raise EditError("--reason must be one line of text")
    path = _file_of(model, award.source)
    lines = path.read_text("utf-8").splitlines(keepends=True)
    start = award.line - 1
    dash = lines[start].index("-")
    pad = " " * (dash + 2)
    end = _item_end(lines, start)
    if not lines[end].endswith("\n"):
        lines[end] += "\n"
    block = [
        f"{pad}revoked:\n",
        f"{pad}  date: {when.isoformat()}\n",
        f"{pad}  reason: {json.dumps(reason.strip(), ensure_ascii=False)}\n",
    ]
    new_text = "".join(lines[: end + 1] + block + lines[end + 1 :])

    def revoked_now() -> bool:
        again, _ = check_content(content)
        return any(award_key(a) == key and a.revoked and a.revoked.reason == reason.strip() for a in again.awards)

    _edit_and_check(
        path,
        new_text,
        revoked_now,
        f"{award.source}:{award.line}: could not add revoked: to this award automatically; add it by hand",
    )
    return f"{award.source}:{award.line}"


def rotate_keys(content: Path, new_public_key: str, current_public_key: str | None) -> list[str]:
    """Retire every issuer's active key and add *new_public_key* as active.

    An issuer without a ``keys`` list gets one: its current (signing) key as
    ``key-1``, retired, and the new key as ``key-2``. Returns the files changed.
    """
    from ..pipeline import check_content
    from .load import LineDict

    model, _ = check_content(content)
    changed = []
    for issuer in model.issuers.values():
        path = _file_of(model, issuer.source)
        text = path.read_text("utf-8")
        if issuer.keys is None:
            if current_public_key is None:
                raise EditError(
                    f"{issuer.source}: lists no keys; give the current key (--key or "
                    "$CREDPRESS_SIGNING_KEY) so it can be kept as a retired key"
                )
            block = (
                "keys:\n  - id: key-1\n    public_key: " + current_public_key + "\n    status: retired\n"
                "  - id: key-2\n    public_key: " + new_public_key + "\n    status: active\n"
            )
            new_text = text + ("" if text.endswith("\n") else "\n") + block
        else:
            from .load import read_yaml_file

            data = read_yaml_file(path, issuer.source, [], [])
            entries = data["keys"]
            lines = text.splitlines(keepends=True)
            for entry, key in zip(entries, issuer.keys):
                if key.status == "active" and isinstance(entry, LineDict):
                    number = entry.lines["status"] - 1
                    lines[number] = re.sub(r"\bactive\b", "retired", lines[number], count=1)
            numbers = [int(m.group(1)) for k in issuer.keys if (m := re.fullmatch(r"key-(\d+)", k.id))]
            new_id = f"key-{max(numbers, default=len(issuer.keys)) + 1}"
            first = entries.lines[0] - 1
            pad = " " * lines[first].index("-")
            end = _item_end(lines, entries.lines[-1] - 1)
            if not lines[end].endswith("\n"):
                lines[end] += "\n"
            entry_lines = [
                f"{pad}- id: {new_id}\n",
                f"{pad}  public_key: {new_public_key}\n",
                f"{pad}  status: active\n",
            ]
            new_text = "".join(lines[: end + 1] + entry_lines + lines[end + 1 :])

        def rotated(slug: str = issuer.slug) -> bool:
            again, _ = check_content(content)
            keys = again.issuers[slug].keys or ()
            return any(k.public_key == new_public_key and k.status == "active" for k in keys)

        _edit_and_check(
            path, new_text, rotated, f"{issuer.source}: could not rotate its keys automatically; edit keys: by hand"
        )
        changed.append(issuer.source)
    return changed
