"""Edits to the provider's YAML that commands make for them (revoke, erase, key rotation).

Edits are textual, so comments and formatting survive: a few lines are inserted
or one value replaced, at the line numbers the loader recorded. Each edit is
checked by loading the content again; if it did not have the intended effect
the file is restored and the command fails.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import CredpressError
from ..output.buildlock import BuildLock
from ..output.writer import atomic_write
from .fields import Invalid
from .lock import Lock, award_key, is_erased
from .model import Model
from .schemas import REVOCATION_SCHEMA


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


_ITEM_START = re.compile(r"[ ]*(?:-[ ]+)?")


def _award_block(lines: list[str], line: int) -> tuple[int, int, int]:
    """(first, last, key column) of the list item whose mapping starts at *line* (1-based).

    The loader records the line of an award's first key: ``- achievement: x``, or
    ``achievement: x`` under a ``-`` on a line of its own. *first* is the line of
    the ``-``, *last* the last line of the item, both 0-based; the key column is
    where the award's keys start.
    """
    start = line - 1
    column = len(_ITEM_START.match(lines[start]).group())  # type: ignore[union-attr]
    first = start
    if not lines[start].lstrip().startswith("-"):
        first = start - 1
        while first >= 0 and (not lines[first].strip() or lines[first].lstrip().startswith("#")):
            first -= 1
        if first < 0 or lines[first].strip() != "-":
            raise ValueError("award item does not start with '-'")
    last = start
    for index in range(start + 1, len(lines)):
        stripped = lines[index].strip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(lines[index]) - len(lines[index].lstrip()) < column:
            break
        last = index
    return first, last, column


def _edit_and_check(path: Path, new_text: str, check: Callable[[], bool], failure: str) -> str:
    """Write *new_text*, reload and *check*; restore the file and fail otherwise. Returns the old text."""
    old_text = path.read_text("utf-8")
    _write(path, new_text)
    try:
        ok = check()
    except CredpressError:
        ok = False
    if not ok:
        _write(path, old_text)
        raise EditError(failure)
    return old_text


def _write(path: Path, text: str) -> None:
    try:
        atomic_write(path, text)
    except OSError as exc:
        raise EditError(f"could not write {path}: {exc.strerror or exc}; it was not changed") from None


def _credential_id(credential: str) -> str:
    """The credential id from an id or a credential URL."""
    return credential.strip().rstrip("/").rsplit("/", 1)[-1].removesuffix(".json")


def _reason(reason: str) -> str:
    """The reason, checked like the content's ``revoked.reason`` (length, control characters)."""
    check = REVOCATION_SCHEMA["reason"].check
    assert callable(check)
    try:
        return str(check(unicodedata.normalize("NFC", reason)))
    except Invalid as exc:
        raise EditError(f"--reason {exc}") from None


def _project_root(content: Path) -> Path:
    return Path(content).absolute().parent


def revoke(
    content: Path, credential: str, reason: str, when: date, announce: Callable[[str], None] | None = None
) -> str:
    """Add ``revoked: {date, reason}`` to the award of *credential*; returns its file:line.

    Before writing, *announce* is told of every stacked credential that will be
    revoked by cascade with it. Holds the build lock, so a build or another
    command cannot interleave.
    """
    with BuildLock(_project_root(content), "revoke"):
        return _revoke(content, credential, reason, when, announce)


def _revoke(
    content: Path, credential: str, reason: str, when: date, announce: Callable[[str], None] | None = None
) -> str:
    from ..pipeline import check_content

    reason = _reason(reason)
    model, _ = check_content(content)
    credential_id = _credential_id(credential)
    lock = Lock.read(content)
    key = lock.by_credential_id().get(credential_id)
    award = next((a for a in model.awards if award_key(a) == key), None) if key else None
    if award is None:
        if key is not None and "stack" in lock.entries[key]:
            raise EditError(
                f"credential {credential_id} is a stacked credential: it is revoked by cascade when the rule of "
                f"'{lock.entries[key]['stack']}' stops holding; revoke the component credential that is wrong"
            )
        raise EditError(f"no award has credential id {credential_id} (see {content}/credpress.lock)")
    if award.revoked:
        raise EditError(f"{award.source}:{award.line}: already revoked on {award.revoked.date.isoformat()}")
    failure = f"{award.source}:{award.line}: could not add revoked: to this award automatically; add it by hand"
    if announce is not None:
        from ..documents.stacks import falling_with

        for falling, stack in falling_with(model, lock.entries, award):
            announce(f"{stack} {falling} will be revoked with it (its stack's rule no longer holds)")
    path = _file_of(model, award.source)
    lines = path.read_text("utf-8").splitlines(keepends=True)
    try:
        _, end, column = _award_block(lines, award.line or 0)
    except ValueError:
        raise EditError(failure) from None
    if not lines[end].endswith("\n"):
        lines[end] += "\n"
    pad = " " * column
    block = [
        f"{pad}revoked:\n",
        f"{pad}  date: {when.isoformat()}\n",
        f"{pad}  reason: {json.dumps(reason, ensure_ascii=False)}\n",
    ]
    new_text = "".join(lines[: end + 1] + block + lines[end + 1 :])

    def revoked_now() -> bool:
        again, _ = check_content(content)
        return any(award_key(a) == key and a.revoked and a.revoked.reason == reason for a in again.awards)

    _edit_and_check(path, new_text, revoked_now, failure)
    return f"{award.source}:{award.line}"


@dataclass(frozen=True)
class Erasure:
    """What ``credpress erase`` did."""

    credential_id: str
    issuer: str
    award_removed: str | None  # file:line of the award taken out of the content, if it was there
    lock: str


def erase(content: Path, credential: str, reason: str, when: date, issuer: str | None = None) -> Erasure:
    """Erase a credential at its learner's request.

    The award leaves the content (if it is still there; a textual edit, checked
    by reloading) and its lock entry is marked erased: the entry keeps the id and
    status index, retired for good, and loses the salt and the award key (a hash
    of the learner's identity). The next build deletes the credential's files
    and sets its bit in the issuer's status list. *issuer* (a slug) is needed
    only when the award is already gone and the site has several issuers.
    """
    with BuildLock(_project_root(content), "erase"):
        return _erase(Path(content), credential, reason, when, issuer)


def _erase(content: Path, credential: str, reason: str, when: date, issuer: str | None) -> Erasure:
    from ..pipeline import check_content

    reason = _reason(reason)
    lock = Lock.read(content)
    credential_id = _credential_id(credential)
    key = lock.by_credential_id().get(credential_id)
    if key is None:
        raise EditError(f"no credential {credential_id} in {lock.display}")
    entry = lock.entries[key]
    if is_erased(entry):
        raise EditError(
            f"{lock.display}:{lock.lines.get(key)}: credential {credential_id} was already erased on {entry['erased']['date']}"
        )
    model, _ = check_content(content)
    award = next((a for a in model.awards if award_key(a) == key), None)
    if award is not None:
        owner = model.achievements[award.achievement].issuer
        if issuer is not None and issuer != owner:
            raise EditError(f"credential {credential_id} was issued by {owner}, not {issuer}")
        issuer = owner
    elif issuer is None:
        if len(model.issuers) != 1:
            raise EditError(
                f"the award of credential {credential_id} is no longer in the content, so its issuer is unknown: "
                f"give it with --issuer (one of {', '.join(sorted(model.issuers))})"
            )
        issuer = next(iter(model.issuers))
    elif issuer not in model.issuers:
        raise EditError(f"no issuer {issuer!r} in the content (one of {', '.join(sorted(model.issuers))})")
    removed, path, old_text = None, None, None
    if award is not None:
        removed = f"{award.source}:{award.line}"
        failure = f"{removed}: could not remove this award automatically; delete it by hand and erase again"
        path = _file_of(model, award.source)
        lines = path.read_text("utf-8").splitlines(keepends=True)
        try:
            first, last, _ = _award_block(lines, award.line or 0)
        except ValueError:
            raise EditError(failure) from None
        rest = lines[:first] + lines[last + 1 :]
        if not any(line.strip() and not line.lstrip().startswith("#") for line in rest):
            rest.append("[]\n")  # the file's last award: keep a valid, empty list
        count = len(model.awards)

        def gone() -> bool:
            again, _ = check_content(content)
            return len(again.awards) == count - 1 and all(award_key(a) != key for a in again.awards)

        old_text = _edit_and_check(path, "".join(rest), gone, failure)
    lock.erase(key, when, reason, issuer)
    try:
        lock.write()
    except CredpressError:
        if path is not None and old_text is not None:
            _write(path, old_text)
        raise
    return Erasure(credential_id, issuer, removed, lock.display)


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
