"""Mending the lock file: ``credpress lock repair`` after a bad merge, ``lock recover`` after a loss.

- :func:`repair` re-draws colliding entries that a given published site does not
  hold, so nothing published changes.
- :func:`recover` rebuilds a lost lock from a published site by matching each
  award to its published credential.

Every value is drawn with the build's own functions (:func:`.lock.draw_id` …).
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from ..dates import timestamp
from ..errors import ContentError, CredpressError, LockError, Problem
from ..output.buildlock import BuildLock
from ..site.layout import Layout
from ..vc import bitstring
from ..vc.recipient import email_identity
from .lock import (
    _UUID,
    ERASED_PREFIX,
    LOCK_NAME,
    UNMATCHED_PREFIX,
    Collision,
    LockEntry,
    _malformed,
    award_key,
    collision_problem,
    collisions,
    draw_id,
    draw_salt,
    is_erased,
    lock_display,
    lock_problems,
    parse_lock,
    read_entries,
    serialize_entries,
    write_lock_file,
)
from .model import Award, Model
from .status_index import MAX_LISTS, IndexPool, describe, status_index

RandomBytes = Callable[[int], bytes]


# --- lock repair -------------------------------------------------------------------------------


def _check_site(site: Path | None, command: str) -> Path:
    if site is None:
        raise LockError(
            f"{command} needs --site DIR: the built or deployed output, to tell which credentials are published "
            "(they keep their values; only unpublished ones are re-drawn). Nothing was changed"
        )
    if not (Path(site) / "credentials").is_dir():
        raise LockError(f"{site} is not a credpress site (it has no credentials/ folder); nothing was changed")
    return Path(site)


def _published(site: Path, credential_id: str) -> tuple[int, set[str]] | Literal[True] | None:
    """(status index, email salts) of the published credential *credential_id*; None if not
    published; True if published but unreadable (so it counts as published whatever the lock says)."""
    path = site / "credentials" / f"{credential_id}.json"
    if not path.is_file():
        return None
    try:
        document = json.loads(path.read_text("utf-8"))
        identifiers = document["credentialSubject"].get("identifier", [])
        salts = {str(i["salt"]) for i in identifiers if i.get("identityType") == "emailAddress" and "salt" in i}
        status = document["credentialStatus"]
        number = Layout.status_list_number(status["statusListCredential"])
        if number is None:
            return True
        return status_index(number, int(status["statusListIndex"])), salts
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return True


def _is_published(site: Path, entry: LockEntry, id_shared: bool) -> bool:
    """Whether *site* publishes the credential of *entry*.

    Its file must be there; when another entry has the same id, the file must
    also carry this entry's status index and (if it has a hashed email) salt.
    """
    if is_erased(entry.value):
        return True  # its id and bit are retired: never re-drawn
    found = _published(site, entry.value["id"])
    if found is None or found is True or not id_shared:
        return found is not None
    index, salts = found
    return index == entry.value["status_index"] and (not salts or entry.value["salt"] in salts)


def repair(content: Path, site: Path | None, random_bytes: RandomBytes = secrets.token_bytes) -> list[str]:
    """Re-draw the colliding entries of the lock that *site* does not publish; what was done, one line each.

    LockError (nothing written) when a collision is between published credentials.
    """
    content = Path(content)
    with BuildLock(content.absolute().parent, "lock repair"):
        display = lock_display(content)
        path = content / LOCK_NAME
        if not path.exists():
            raise LockError(f"{display} does not exist: nothing to repair")
        entries = read_entries(path, display)
        malformed = [Problem(display, e.line, "", m) for e in entries if (m := _malformed(e))]
        if malformed:
            raise ContentError(malformed)  # not collisions: only a person can tell what was meant
        if not collisions(entries):
            return []
        site = _check_site(site, "lock repair")
        ids = Counter(e.value["id"] for e in entries)

        def published_in(group: Collision) -> list[LockEntry]:
            return [e for e in group.entries if _is_published(site, e, ids[e.value["id"]] > 1)]

        done, stuck = [], []
        for group in [c for c in collisions(entries) if c.kind == "award"]:
            published = published_in(group)
            if len(published) > 1:
                stuck.append(_stuck(group, display))
                continue
            keep = published[0] if published else group.entries[0]
            for dropped in (e for e in group.entries if e is not keep):
                entries.remove(dropped)
                done.append(f"{display}:{dropped.line}: dropped a second entry of award {dropped.key} (not published)")
        redraw: dict[int, set[str]] = {}
        ids = Counter(e.value["id"] for e in entries)
        for group in [c for c in collisions(entries) if c.kind != "award"]:
            published = published_in(group)
            if len(published) > 1:
                stuck.append(_stuck(group, display))
            for entry in (e for e in group.entries if e not in published):
                redraw.setdefault(id(entry), set()).add(group.kind)
        if stuck:
            raise LockError("cannot repair without changing a published credential:\n" + "\n".join(stuck))
        used_ids = {e.value["id"] for e in entries if "id" not in redraw.get(id(e), ())}
        used_indexes = IndexPool(e.value["status_index"] for e in entries if "index" not in redraw.get(id(e), ()))
        for entry in entries:
            kinds = redraw.get(id(entry), set())
            value = entry.value = dict(entry.value)
            if "id" in kinds:
                old = value["id"]
                value["id"], value["salt"] = draw_id(random_bytes, used_ids), draw_salt(random_bytes)
                done.append(f"{display}:{entry.line}: credential id {old} re-drawn as {value['id']} (not published)")
            if "index" in kinds:
                old = value["status_index"]
                value["status_index"] = used_indexes.draw(random_bytes)
                done.append(
                    f"{display}:{entry.line}: status index {describe(old)} of credential {value['id']} re-drawn as "
                    f"{describe(value['status_index'])} (not published)"
                )
        write_lock_file(path, serialize_entries({e.key: e.value for e in entries}), display)
        return done


def _stuck(group: Collision, display: str) -> str:
    return (
        f"{collision_problem(group, display).message.split('; ')[0]}, and every one of them is published; "
        "this needs a person: reissue one of the awards as a new award and revoke the copy already published"
    )


# --- lock recover ------------------------------------------------------------------------------


@dataclass
class Recovery:
    lock: str
    recovered: int  # awards matched to their published credential
    published: int
    unmatched: list[str] = field(default_factory=list)  # one line per published credential left unmatched
    retired_bits: int = 0  # set bits that belong to no published credential (erased), kept retired


@dataclass(frozen=True)
class _Published:
    credential_id: str
    achievement: str
    awarded: str
    did: str | None
    hashes: tuple[tuple[str, str], ...]  # (identityHash, salt) of emailAddress identifiers
    status_index: int


def _list_urls(model: Model) -> dict[str, int]:
    """The URL of every status list the site may publish -> its number."""
    layout = Layout(model.site)
    return {
        layout.url(layout.status_list(slug, number)): number
        for slug in model.issuers
        for number in range(1, MAX_LISTS + 1)
    }


def _read_published(site: Path, model: Model) -> tuple[list[_Published], list[str]]:
    base, list_urls = model.site.base_url, _list_urls(model)
    found, bad = [], []
    for path in sorted((site / "credentials").glob("*.json")):
        stem = path.stem
        try:
            doc = json.loads(path.read_text("utf-8"))
            subject = doc["credentialSubject"]
            if doc["id"] != f"{base}credentials/{stem}.json" or not _UUID.fullmatch(stem):
                raise ValueError("its id is not its URL under base_url")
            status = doc["credentialStatus"]
            number = list_urls.get(status["statusListCredential"])
            if number is None:
                raise ValueError(f"its status list {status['statusListCredential']} is not one of this site's")
            bit = int(status["statusListIndex"])
            if not 0 <= bit < bitstring.LIST_BITS:
                raise ValueError("its status index is out of range")
            index = status_index(number, bit)
            hashes = tuple(
                (str(i["identityHash"]), str(i.get("salt", "")))
                for i in subject.get("identifier", [])
                if i.get("identityType") == "emailAddress"
            )
            found.append(
                _Published(stem, subject["achievement"]["id"], doc["awardedDate"], subject.get("id"), hashes, index)
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            bad.append(f"credentials/{path.name}: not a credential of this site ({exc})")
    return found, bad


def _matches(award: Award, published: _Published) -> str | None:
    """The salt to keep if *published* is the credential of *award* ("" when it has none), else None."""
    recipient = award.recipient
    if recipient.did:
        return "" if published.did == recipient.did else None
    for identity, salt in published.hashes:
        if recipient.email and identity == email_identity(recipient.email, salt):
            return salt
        if recipient.email_hash and identity == recipient.email_hash:
            return ""
    return None


def recover(content: Path, site: Path | None, random_bytes: RandomBytes = secrets.token_bytes) -> Recovery:
    """Rebuild a lost lock file from the published *site*.

    Each award is matched to its published credential (same achievement, same
    awardedDate, same recipient: plain email hashed with the published salt, the
    same email_hash, or the same DID); its id, salt and status index are kept.
    A published credential no award matches is kept as ``unmatched-<id>`` (so the
    build refuses to drop it without a word), and every set bit of a published
    status list that belongs to no published credential (an erased one) is kept
    retired.
    """
    from ..pipeline import check_content

    content = Path(content)
    with BuildLock(content.absolute().parent, "lock recover"):
        display = lock_display(content)
        if (content / LOCK_NAME).exists():
            raise LockError(
                f"{display} exists: recover only rebuilds a lost lock file (restore it from git if you can); "
                "nothing was changed"
            )
        site = _check_site(site, "lock recover")
        model, _ = check_content(content)
        layout = Layout(model.site)
        published, bad = _read_published(site, model)
        by_award: dict[tuple[str, str], list[_Published]] = {}
        for credential in published:
            by_award.setdefault((credential.achievement, credential.awarded), []).append(credential)
        pairs: dict[str, list[tuple[Award, str]]] = {}
        awards_matched: dict[str, int] = {}
        for award in model.awards:
            where = (layout.url(layout.achievement_json(award.achievement)), timestamp(award.awarded))
            for credential in by_award.get(where, []):
                salt = _matches(award, credential)
                if salt is not None:
                    pairs.setdefault(credential.credential_id, []).append((award, salt))
                    awards_matched[award_key(award)] = awards_matched.get(award_key(award), 0) + 1
        entries: dict[str, dict[str, Any]] = {}
        recovery = Recovery(display, 0, len(published) + len(bad), list(bad))
        for credential in published:
            found = pairs.get(credential.credential_id, [])
            unique = [(a, s) for a, s in found if awards_matched[award_key(a)] == 1]
            if len(found) == 1 and unique:
                award, salt = unique[0]
                key, recovery.recovered = award_key(award), recovery.recovered + 1
            else:
                salt, key = "", UNMATCHED_PREFIX + credential.credential_id
                reason = "no award in the content matches it" if not found else "several awards match it"
                recovery.unmatched.append(f"credentials/{credential.credential_id}.json: {reason}")
            entries[key] = {
                "id": credential.credential_id,
                "salt": salt or draw_salt(random_bytes),
                "status_index": credential.status_index,
            }
        used_ids = {e["id"] for e in entries.values()}
        mine = {c.status_index for c in published}
        for slug in model.issuers:
            for day, indexes in _published_bits(site, layout, slug):
                for index in sorted(indexes - mine):
                    # An erased credential: its id is lost, so a fresh one (never published) holds the bit.
                    retired_id = draw_id(random_bytes, used_ids)
                    entries[ERASED_PREFIX + retired_id] = {
                        "id": retired_id,
                        "status_index": index,
                        "erased": {
                            "date": day,
                            "reason": "recovered: set in the published status list",
                            "issuer": slug,
                        },
                    }
                    recovery.retired_bits += 1
        text = serialize_entries(entries)
        problems = lock_problems(parse_lock(text, display), display)
        if problems:
            raise LockError(
                "the published site itself breaks the lock's rules; nothing was written:\n"
                + "\n".join(str(p).split("; after a git merge")[0] for p in problems)
            )
        write_lock_file(content / LOCK_NAME, text, display)
        return recovery


def _published_bits(site: Path, layout: Layout, slug: str) -> Iterator[tuple[str, set[int]]]:
    """(validFrom date, set bits as status indexes) of each of the issuer's published status lists."""
    for number in range(1, MAX_LISTS + 1):
        path = site / layout.status_list(slug, number)
        try:
            document = json.loads(path.read_text("utf-8"))
            bits = bitstring.decode_list(document["credentialSubject"]["encodedList"])
            day = date.fromisoformat(str(document["validFrom"])[:10]).isoformat()
        except (OSError, ValueError, KeyError, TypeError, CredpressError):
            continue
        size = min(len(bits) * 8, bitstring.LIST_BITS)
        yield day, {status_index(number, i) for i in range(size) if bitstring.bit_is_set(bits, i)}
