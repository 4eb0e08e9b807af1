"""The build: load → check → model → documents → sign → generate → write.

Everything is computed first, in memory and without I/O in the middle stages:
one record per issued credential (:mod:`credpress.documents.record`), signed,
then the complete site data (:mod:`credpress.site.data`) from which every
generator (:mod:`credpress.site.generators`) makes its files. Only then does
the writer fill a temporary folder and swap it in. A failure at any step raises
before the output folder is touched.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import workers
from .build_cache import BuildCache, cache_folder
from .build_summary import BuildSummary, Previous, previous_from_output, signed_digest, summarize
from .content.check import build_model
from .content.learners import assign_records
from .content.load import load_content
from .content.lock import Lock
from .content.model import Model
from .documents.credential import unsigned_credential
from .documents.learner import learner_records, link_learner_pages
from .documents.record import CredentialRecord, credential_records
from .documents.stacks import StackOutcome, evaluate, record_cascades
from .errors import ContentError, JsonLdError, KeyConfigError, Problem
from .output.buildlock import BuildLock
from .output.writer import Writer, check_replaceable, json_bytes
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


def check_content(content: Path, strict: bool = False, now: datetime | None = None) -> tuple[Model, list[Problem]]:
    """Load and validate; raise ContentError with every problem. Writes nothing."""
    model, problems, warnings = build_model(load_content(Path(content)), now or datetime.now(timezone.utc))
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
    with BuildLock(project_root):
        return _build_locked(options, project_root)


def _build_locked(options: BuildOptions, project_root: Path) -> BuildResult:
    content, out = Path(options.content), Path(options.out)
    model, warnings = check_content(content, options.strict, options.now)
    _refuse_dangerous_out(content, out)
    check_replaceable(out)
    keymod.check_key_location(options.key_path, content, out)
    key = keymod.resolve_signing_key(options.key_path, options.environ, project_root, options.warn)
    check_key(model, key)
    lock = Lock.read(content, clean=True)
    if not lock.existed:
        _refuse_lost_lock(lock, Path(options.out))
    assignments, outcome = _assign(lock, model, options.random_bytes, options.frozen)
    stacked = [(s.award, s.components) for s in outcome.awards]
    today = (options.now or datetime.now(timezone.utc)).date()
    record_assignments = assign_records(lock, model, options.random_bytes, options.frozen, today)
    templates = options.templates or project_root / "site_templates"
    cache = _open_cache(options, project_root, key, templates)
    with workers.limit(options.workers):
        unsigned = credential_records(model, assignments, stacked)
        records, digests = _sign(model, key, unsigned, cache, options.progress)
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
        )
        files = site_files(site)
    previous = _previous(cache, out, records)
    writer = Writer(Path(options.out))
    try:
        for count, (rel, data) in enumerate(files, 1):
            writer.write_bytes(rel, data)
            if options.progress and (count % 500 == 0 or count == len(files)):
                options.progress("Writing", count, len(files))
        # The lock goes first: if the swap then fails, the next build reuses the
        # very same ids; the other way round a crash could publish ids it forgot.
        if lock.changed or not lock.existed:
            lock.write()
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    if cache is not None:
        cache.save_previous(
            out, {r.credential_id: (digests[r.credential_id], r.award.revoked is not None) for r in records}
        )
        cache.prune()
    now = options.now or datetime.now(timezone.utc)
    summary = summarize(records, digests, previous, now, len(files), len(warnings))
    return BuildResult(
        Path(options.out),
        len(records),
        len(files),
        key.public_multibase,
        key.development,
        warnings,
        outcome.report(model),
        summary,
    )


# Incremental builds: the cache around signing and rendering ---------------------------


def _open_cache(
    options: BuildOptions, project_root: Path, key: keymod.SigningKey, templates: Path
) -> BuildCache | None:
    """The build cache, unless turned off or (never) inside the output folder."""
    if not options.cache:
        return None
    folder, out = cache_folder(project_root).absolute(), Path(options.out).absolute()
    if folder.is_relative_to(out) or out.is_relative_to(folder):
        return None  # the cache is never published, and never replaced by the output
    return BuildCache(folder, key, templates)


def _sign(
    model: Model,
    key: keymod.SigningKey,
    records: tuple[CredentialRecord, ...],
    cache: BuildCache | None,
    progress: Callable[[str, int, int], None] | None,
) -> tuple[tuple[CredentialRecord, ...], dict[str, str]]:
    """Every record signed (reusing the cache's unchanged ones), and credential id -> JSON digest."""
    if cache is None:
        report = (lambda done: progress("Signing", done, len(records))) if progress else None
        signed = sign_credentials(model, key, records, report)
        return signed, {r.credential_id: signed_digest(json_bytes(r.document)) for r in signed}
    # Only the records that need signing are counted, so a no-op rebuild shows no bar.
    return sign_credentials_cached(model, key, records, cache, _signing_progress(progress))


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
