"""The build: load → check → model → documents → sign → generate → write.

First, before anything is read, the no-op fast path (:mod:`credpress.fast_path`):
when the fingerprint of every input equals the previous build's and the output
folder is as that build left it, its result is returned and nothing is built.

Otherwise everything up to the site data is computed in memory, without I/O in
the middle stages: one record per issued credential
(:mod:`credpress.documents.record`), signed, then the complete site data
(:mod:`credpress.site.data`) from which every generator
(:mod:`credpress.site.generators`) makes its files. The files stream to the
writer, which fills a temporary folder (linking the previous build's unchanged
files) and swaps it in. A failure at any step raises before the output folder is
touched.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

from . import fast_path, workers
from .build_cache import BuildCache, cache_folder
from .build_summary import BuildSummary, Previous, previous_from_output, signed_digest, summarize
from .content.check import build_model
from .content.learners import assign_records
from .content.load import load_content
from .content.lock import Lock
from .content.model import Model
from .documents.credential import unsigned_credential, valid_until
from .documents.learner import learner_records, link_learner_pages
from .documents.record import CredentialRecord, credential_records
from .documents.signed_store import SignedStore
from .documents.stacks import StackOutcome, evaluate, record_cascades
from .errors import ContentError, CredpressError, JsonLdError, KeyConfigError, Problem
from .output.buildlock import BuildLock
from .output.writer import Reuse, Writer, check_replaceable
from .sign import (
    credential_problems,
    sign_credentials,
    sign_credentials_cached,
    sign_learner_records,
    sign_status_lists,
)
from .site.data import SiteData
from .site.generators import site_files
from .vc import cryptosuites
from .vc import keys as keymod


@dataclass
class BuildOptions:
    content: Path = Path("content")
    out: Path = Path("_site")
    key_path: Path | None = None
    strict: bool = False
    frozen: bool = False  # fail instead of adding to the lock file (CI)
    templates: Path | None = None  # default: site_templates/ beside the content folder
    environ: Mapping[str, str] | None = None
    now: datetime | None = None  # only for warnings (awards in the future)
    random_bytes: Callable[[int], bytes] = secrets.token_bytes
    warn: Callable[[str], None] | None = None
    cache: bool = True  # reuse what earlier builds signed and rendered (.credpress/cache/)
    workers: int | None = None  # processes for signing and rendering (None: every core)
    progress: Callable[[str, int, int], None] | None = None  # (stage, done, total)


@dataclass
class BuildResult:
    out: Path
    credentials: int
    files: int
    public_key: str
    development_key: bool
    warnings: list[Problem] = field(default_factory=list)
    stacks: list[str] = field(default_factory=list)  # one summary line per stack, then eligible learners
    summary: BuildSummary = field(default_factory=BuildSummary)


def check_content(
    content: Path, strict: bool = False, now: datetime | None = None, parsed: BuildCache | None = None
) -> tuple[Model, list[Problem]]:
    """Load and validate; raise ContentError with every problem. Writes nothing (but, given the
    build cache as *parsed*, the parsed YAML files it keeps)."""
    model, problems, warnings = build_model(load_content(Path(content), parsed), now or datetime.now(timezone.utc))
    if strict:
        problems = problems + warnings
    if problems or model is None:
        raise ContentError(problems, [] if strict else warnings)
    return model, warnings


def check_key(model: Model, key: keymod.SigningKey) -> None:
    """Refuse a signing key that is not the active key every issuer publishes."""
    for issuer in model.issuers.values():
        if issuer.keys is None:
            continue
        active = issuer.active_key(key.public_multibase)
        if active.public_key != key.public_multibase:
            revoked = any(k.public_key == key.public_multibase and k.status == "revoked" for k in issuer.keys)
            state = "a REVOKED key of" if revoked else "not the active key of"
            raise KeyConfigError(
                f"the {key} is {state} {issuer.source} (active key '{active.id}' is {active.public_key}); "
                "use the matching key or update the issuer's keys"
            )


def build(options: BuildOptions) -> BuildResult:
    """Build the site into ``options.out``; on any error, leave it untouched."""
    project_root = Path(options.content).absolute().parent
    with BuildLock(project_root), ExitStack() as closing:
        return _build_locked(options, project_root, closing)


def _build_locked(options: BuildOptions, project_root: Path, closing: ExitStack) -> BuildResult:
    content, out = Path(options.content), Path(options.out)
    now = options.now or datetime.now(timezone.utc)
    templates = options.templates or project_root / "site_templates"
    early = _early_key(options, project_root)
    cache, fingerprint = None, None
    if early is not None:
        cache = _open_cache(options, project_root, early[0], templates, closing)
        if cache is not None and cache.usable:
            fingerprint = fast_path.fingerprint(
                content=content,
                out=out,
                templates=templates,
                key=early[0],
                cache=cache,
                strict=options.strict,
                frozen=options.frozen,
                today=now.date(),
            )
            record = fast_path.lookup(cache, out, fingerprint.value, now)
            if record is not None:
                return _unchanged(options, early, record, now)
    model, warnings = check_content(content, options.strict, now, cache if cache is not None and cache.usable else None)
    _refuse_dangerous_out(content, out)
    check_replaceable(out)
    keymod.check_key_location(options.key_path, content, out)
    if early is not None:
        key = early[0]
        for note in early[1]:
            _warn(options, note)
    else:
        key = keymod.resolve_signing_key(options.key_path, options.environ, project_root, options.warn)
        cache = _open_cache(options, project_root, key, templates, closing)
    check_key(model, key)
    lock = Lock.read(content, clean=True)
    if not lock.existed:
        _refuse_lost_lock(lock, Path(options.out))
    assignments, outcome = _assign(lock, model, options.random_bytes, options.frozen)
    stacked = [(s.award, s.components) for s in outcome.awards]
    record_assignments = assign_records(lock, model, options.random_bytes, options.frozen, now.date())
    with workers.limit(options.workers):
        unsigned = credential_records(model, assignments, stacked)
        writer = _writer(out, cache)
        try:
            # Each credential's JSON file is written as soon as it is signed, while the
            # workers sign the next ones: the disk works while the cores do.
            written = partial(_write_credential, writer)
            store = closing.enter_context(SignedStore())  # the signed bytes, out of memory
            records, digests = _sign(model, key, unsigned, cache, options.progress, written, store)
            learners = sign_learner_records(model, key, learner_records(model, records, record_assignments))
            records = link_learner_pages(records, learners)
            status_lists = sign_status_lists(model, key, records, lock.erased_indexes(), learners)
            site = SiteData(
                model,
                records,
                status_lists,
                key.public_multibase,
                templates,
                learner_records=learners,
                cache=cache,
                progress=options.progress,
                credential_files_written=True,
            )
            previous = _previous(cache, out, records)
            lock_text = _write(site, writer, lock)
        except BaseException:
            writer.abort()
            raise
        files = len(writer.written) - 1  # (the writer's marker file is not counted)
    stacks = outcome.report(model)
    summary = summarize(records, digests, previous, now, files, len(warnings))
    if cache is not None:
        cache.save_previous(
            out, {r.credential_id: (digests[r.credential_id], r.award.revoked is not None) for r in records}
        )
        if writer.reuse is not None:
            cache.save_output_files(out, writer.files)
            if fingerprint is not None:
                if lock_text is not None:
                    fingerprint = fingerprint.with_lock(lock_text.encode("utf-8"))
                fast_path.save(cache, out, _record(fingerprint, writer, model, records, warnings, stacks, summary, now))
        cache.prune()
    return BuildResult(
        Path(options.out),
        len(records),
        files,
        key.public_multibase,
        key.development,
        warnings,
        stacks,
        summary,
    )


def _writer(out: Path, cache: BuildCache | None) -> Writer:
    """The writer of this build's output (reusing the previous build's files, with a cache)."""
    usable = cache is not None and cache.usable
    reuse = Reuse(cache.spare(out), cache.output_files(out)) if cache is not None and usable else None
    return Writer(out, reuse)


def _write_credential(writer: Writer, record: CredentialRecord) -> None:
    writer.write(record.json_path, record.document_bytes)


def _write(site: SiteData, writer: Writer, lock: Lock) -> str | None:
    """Every generator's files, written as they are made, and the lock file; then the swap.
    Returns the lock file's text if it was written. The caller aborts the writer on an error."""
    lock_text = None
    for rel, data in site_files(site):
        writer.write(rel, data)
    # The lock goes first: if the swap then fails, the next build reuses the
    # very same ids; the other way round a crash could publish ids it forgot.
    if lock.changed or not lock.existed:
        lock_text = lock.write()
    writer.commit()
    return lock_text


# The no-op fast path (credpress.fast_path) ----------------------------------------------


def _warn(options: BuildOptions, message: str) -> None:
    if options.warn is not None:
        options.warn(message)
    else:
        print(message, file=sys.stderr)


def _early_key(options: BuildOptions, project_root: Path) -> tuple[keymod.SigningKey, list[str]] | None:
    """The signing key, found before the content is read (for the fast path), and what finding
    it had to say; None where finding it would fail or create a key (the build then finds it
    where it always has)."""
    if not options.cache:
        return None
    notes: list[str] = []
    try:
        _refuse_dangerous_out(Path(options.content), Path(options.out))
        check_replaceable(Path(options.out))
        keymod.check_key_location(options.key_path, Path(options.content), Path(options.out))
        key = keymod.configured_signing_key(options.key_path, options.environ, project_root, notes.append)
    except CredpressError:
        return None
    return (key, notes) if key is not None else None


def _unchanged(
    options: BuildOptions, early: tuple[keymod.SigningKey, list[str]], record: fast_path.Record, now: datetime
) -> BuildResult:
    """The result of a build with nothing changed: the previous build's, counted again as of *now*."""
    key, notes = early
    for note in notes:
        _warn(options, note)
    return BuildResult(
        Path(options.out),
        record.credentials,
        record.files,
        key.public_multibase,
        key.development,
        list(record.warnings),
        list(record.stacks),
        record.summary(now),
    )


def _record(
    fingerprint: fast_path.Fingerprint,
    writer: Writer,
    model: Model,
    records: tuple[CredentialRecord, ...],
    warnings: list[Problem],
    stacks: list[str],
    summary: BuildSummary,
    now: datetime,
) -> fast_path.Record:
    """What the fast path keeps of this build."""
    until = (valid_until(r.award, r.achievement) for r in records)
    since, before = fast_path.clock_window([a.awarded for a in model.awards], now)
    return fast_path.Record(
        fingerprint=fingerprint.value,
        out=os.fspath(writer.out_dir),
        listing=writer.listing(),
        credentials=len(records),
        files=summary.files,
        warnings=list(warnings),
        stacks=list(stacks),
        revoked=sum(1 for r in records if r.award.revoked is not None),
        until=sorted(u.timestamp() for u in until if u is not None),
        lines=list(summary.lines),
        since=since,
        before=before,
    )


# Incremental builds: the cache around signing and rendering ---------------------------


def _open_cache(
    options: BuildOptions, project_root: Path, key: keymod.SigningKey, templates: Path, closing: ExitStack
) -> BuildCache | None:
    """The build cache, unless turned off or (never) inside the output folder; closed (its
    waiting entries stored) when the build ends, whichever way."""
    if not options.cache:
        return None
    folder, out = cache_folder(project_root).absolute(), Path(options.out).absolute()
    if folder.is_relative_to(out) or out.is_relative_to(folder):
        return None  # the cache is never published, and never replaced by the output
    cache = BuildCache(folder, key, templates)
    closing.callback(cache.close)
    return cache


def _sign(
    model: Model,
    key: keymod.SigningKey,
    records: tuple[CredentialRecord, ...],
    cache: BuildCache | None,
    progress: Callable[[str, int, int], None] | None,
    on_signed: Callable[[CredentialRecord], None],
    store: SignedStore,
) -> tuple[tuple[CredentialRecord, ...], dict[str, str]]:
    """Every record signed (reusing the cache's unchanged ones), and credential id -> JSON digest;
    *on_signed* is given each record as soon as it is signed; the records returned keep their
    bytes in *store*."""
    if cache is None:
        report = (lambda done: progress("Signing", done, len(records))) if progress else None
        signed = sign_credentials(model, key, records, report, on_signed, store)
        return signed, {r.credential_id: r.signed_digest or signed_digest(r.document_bytes) for r in signed}
    # Only the records that need signing are counted, so a no-op rebuild shows no bar.
    return sign_credentials_cached(model, key, records, cache, _signing_progress(progress), on_signed, store)


def _signing_progress(progress: Callable[[str, int, int], None] | None) -> Callable[[int, int], None] | None:
    return (lambda done, total: progress("Signing", done, total)) if progress else None


def _previous(cache: BuildCache | None, out: Path, records: tuple[CredentialRecord, ...]) -> Previous:
    """What the previous build published, from the cache, else from the output folder it left."""
    known = cache.previous(out) if cache is not None else None
    if known is not None:
        return Previous(known)
    return previous_from_output(out, records)


def _assign(lock: Lock, model: Model, random_bytes: Callable[[int], bytes], frozen: bool) -> tuple[dict, StackOutcome]:
    """The lock's assignments of every award and stacked award, refusing to drop a
    credential the lock says was issued; stacked credentials revoked by cascade are
    recorded in the lock, so their revocation is permanent."""
    outcome = evaluate(model, lock.entries)
    missing = lock.issued_but_missing(model, outcome.keys())
    if missing:
        raise ContentError(missing)
    assignments = lock.assign(model.awards + tuple(s.award for s in outcome.awards), random_bytes, frozen=frozen)
    record_cascades(lock, outcome)
    return assignments, outcome


def _refuse_lost_lock(lock: Lock, out: Path) -> None:
    """No lock, but the output holds credentials: building would give them all new ids."""
    published = sorted((out / "credentials").glob("*.json")) if (out / "credentials").is_dir() else []
    if published:
        raise ContentError(
            [
                Problem(
                    lock.display,
                    None,
                    "",
                    f"the lock file is missing but {out} holds {len(published)} published credentials: "
                    "a build would give every award a new id and their URLs would stop working. "
                    f"Restore {lock.display} from git, or rebuild it from the published site with "
                    f"`credpress lock recover --site {out}`",
                )
            ]
        )


def _refuse_dangerous_out(content: Path, out: Path) -> None:
    content_abs, out_abs = content.resolve(), out.resolve()
    if out_abs == content_abs or content_abs.is_relative_to(out_abs) or out_abs.is_relative_to(content_abs):
        raise ContentError(
            [Problem(str(out), None, "", "the output folder must not contain or be inside the content folder")]
        )
    if out_abs == Path(out_abs.anchor) or out_abs == Path.home() or out_abs == Path(os.getcwd()).resolve():
        raise ContentError([Problem(str(out), None, "", "refusing to replace this folder with the site")])


def check_all(
    content: Path, strict: bool = False, now: datetime | None = None, frozen: bool = False
) -> tuple[Model, list[Problem], list[str]]:
    """``credpress check``: content and every unsigned credential, writing nothing.

    Ids and salts come from the lock where it has them and are drawn (and thrown
    away) otherwise; the lock file is not written. Also returns the stacks' report
    (a summary line per stack, then the learners eligible for a stack).
    """
    model, warnings = check_content(content, strict, now)
    lock = Lock.read(Path(content))
    assignments, outcome = _assign(lock, model, secrets.token_bytes, frozen)
    assign_records(lock, model, secrets.token_bytes, frozen, (now or datetime.now(timezone.utc)).date())
    problems = []
    stacked = [(s.award, s.components) for s in outcome.awards]
    for record in credential_records(model, assignments, stacked):
        document = unsigned_credential(record, model)
        problems += credential_problems(record, document)
        try:
            cryptosuites.SUITES["eddsa-rdfc-2022"].canonicalize(document)
        except JsonLdError as exc:
            problems.append(Problem(record.award.source, record.award.line, "", str(exc)))
    if problems:
        raise ContentError(problems)
    return model, warnings, outcome.report(model)
