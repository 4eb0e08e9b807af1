"""Each credential's signed JSON and its badge page: the bulk of the work, on all cores.

With a build cache (:mod:`credpress.build_cache`), a page whose render context,
embedded credential and templates are those of an earlier build is reused
instead of rendered again; when the previous build wrote that very page at the
same path, it is not even read: the writer links the previous file
(:class:`credpress.output.writer.Known`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from functools import partial
from typing import Any

from ... import workers
from ...documents.record import CredentialRecord
from ...output.writer import Known
from ..data import SiteData
from ..record_views import badge_learner_view


def generate(site: SiteData) -> Iterator[tuple[str, bytes | Known]]:
    """Every credential's JSON (unless the build wrote it while signing) and badge page."""
    total = len(site.records)
    progress = site.progress
    report = (lambda done: progress("Rendering", done, total)) if progress else None
    cache = site.cache
    for index, (key, body, fresh) in enumerate(workers.imap_indices(_page, total, site, progress=report)):
        record = site.records[index]
        if not site.credential_files_written:
            yield record.json_path, record.document_bytes
        path = record.page_path + "index.html"
        if cache is None:
            assert body is not None
            yield path, body
            continue
        if fresh:
            assert body is not None
            cache.put("pages", key, body)  # made in a worker, stored here
        cache.mark_used("pages", key)
        load = partial(_page_bytes, site, index, key) if body is None else partial(bytes, body)
        yield path, Known(key, load)


def _page(site: SiteData, index: int) -> tuple[str, bytes | None, bool]:
    """A badge page's cache key, its bytes, and whether they were rendered now (not found in the
    cache); no bytes when the previous build wrote the page of the same key (the writer links
    that file, or asks :func:`_page_bytes`)."""
    record = site.records[index]
    context = page_context(site, record)
    if site.cache is None:
        return "", _badge_page(site, record, context)[1], True
    key = _page_key(site, record, context)
    previous = site.cache.previous_files.get(record.page_path + "index.html")
    if previous is not None and previous[4] == key:
        return key, None, False
    body = site.cache.get("pages", key)
    if body is not None:
        return key, body, False
    return key, _badge_page(site, record, context)[1], True


def _page_key(site: SiteData, record: CredentialRecord, context: dict[str, Any]) -> str:
    assert site.cache is not None
    digest = record.signed_digest or hashlib.sha256(record.document_bytes).hexdigest()
    return site.cache.page_key(record.page_path, digest, _key_context(site, context))


def _page_bytes(site: SiteData, index: int, key: str) -> bytes:
    """The bytes of a page :func:`_page` gave without them (the previous file could not be
    linked): from the cache, else rendered (and kept)."""
    assert site.cache is not None
    body = site.cache.get("pages", key)
    if body is None:
        record = site.records[index]
        body = _badge_page(site, record, page_context(site, record))[1]
        site.cache.put("pages", key, body)
    return body


# The views every badge page of an achievement shares, digested once per process: the memo holds
# the views themselves (shared by Views), so an id is never another view's.
_SHARED: dict[tuple[int, int, int], tuple[object, object, object, str]] = {}


def _key_context(site: SiteData, context: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """What a badge page's cache key covers: the site and every view, the shared ones digested."""
    achievement, issuer = context["achievement"], context["issuer"]
    ids = (id(site.model.site), id(achievement), id(issuer))
    shared = _SHARED.get(ids)
    if shared is None:
        if len(_SHARED) > 256:  # views of earlier builds (credpress serve)
            _SHARED.clear()
        digest = hashlib.sha256(repr((site.model.site, achievement, issuer)).encode("utf-8")).hexdigest()
        shared = _SHARED[ids] = (site.model.site, achievement, issuer, digest)
    return shared[3], {name: value for name, value in context.items() if name not in ("achievement", "issuer")}


def page_context(site: SiteData, record: CredentialRecord) -> dict[str, Any]:
    """What the badge page's template sees."""
    views, page = site.views, record.page_path
    achievement, issuer, award = record.achievement, record.issuer, record.award
    return dict(
        credential=views.credential(record),
        achievement=views.achievement(achievement, page),
        issuer=views.issuer(issuer.slug, page),
        learner=badge_learner_view(site, record),  # None unless the learner opted in (public_record)
        title=f"{award.recipient.name}: {achievement.name}",
        og=site.previews.credential_og(record),
    )


def _badge_page(site: SiteData, record: CredentialRecord, context: dict[str, Any]) -> tuple[str, bytes]:
    return site.page("credential.html", record.page_path, document=_page_document(site, record), **context)


def _page_document(site: SiteData, record: CredentialRecord) -> dict[str, Any]:
    """The ``document`` a badge page's template gets: the signed credential.

    credpress's own templates read nothing of it but ``document.proof``, so a page rendered
    from them alone gets only that, read from the end of the credential's JSON (parsing all
    of it took a tenth of the page's time). Any template of the provider's gets it all.
    """
    if record.signed is None and site.renderer.builtin_only("credential.html"):
        data = record.document_bytes
        proof = signed_proof(data)
        if proof is not None:
            return {"proof": proof}
        document: dict[str, Any] = json.loads(data)
        return document
    return record.document


_PROOF_KEY = b',"proof":'
_JSON_SPACE = " \t\n\r"


def signed_proof(data: bytes) -> Any:
    """The value of the top-level ``proof`` of the JSON object *data*, as ``json.loads(data)``
    gives it, when the object ends with it (as a signed credential written by
    ``json_bytes`` does); else None.

    The last ``,"proof":`` of valid JSON is a member's key (in a string, a quote is escaped,
    and a closing quote is never followed by a letter), and a member whose value is followed
    by the final ``}`` is one of the outermost object: its last, so the one that counts.
    """
    start = data.rfind(_PROOF_KEY)
    if start < 0:
        return None
    tail = data[start + len(_PROOF_KEY) :].decode("utf-8", "surrogatepass")
    try:
        value, end = _DECODER.raw_decode(tail)
    except ValueError:
        return None
    return value if tail[end:].strip(_JSON_SPACE) == "}" else None


_DECODER = json.JSONDecoder()
