"""The build: load → validate → model → credential → sign → render → write.

Everything is computed first, in memory and without I/O in the middle stages;
only then does the writer fill a temporary folder and swap it in. A failure at
any step raises before the output folder is touched.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import credential as cred
from . import keys as keymod
from . import schema, sign, workers
from .did import active_key, issuer_did
from .errors import ContentError, JsonLdError, KeyConfigError, Problem
from .load import load_content
from .lock import Lock
from .model import Model
from .site import site_files
from .validate import build_model


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


@dataclass
class BuildResult:
    out: Path
    credentials: int
    files: int
    public_key: str
    development_key: bool
    warnings: list[Problem] = field(default_factory=list)


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
        active = active_key(issuer, key.public_multibase)
        if active.public_key != key.public_multibase:
            revoked = any(k.public_key == key.public_multibase and k.status == "revoked" for k in issuer.keys)
            state = "a REVOKED key of" if revoked else "not the active key of"
            raise KeyConfigError(
                f"the {key} is {state} {issuer.source} (active key '{active.id}' is {active.public_key}); "
                "use the matching key or update the issuer's keys"
            )


def _sign_award(model: Model, key: keymod.SigningKey, award: Any, assignment: Any) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Unsigned credential → data-model check → signed (or the problems)."""
    document = cred.unsigned_credential(award, assignment, model)
    errors = schema.check_credential(document)
    if errors:
        return None, [Problem(award.source, award.line, "", f"credential would be invalid: {e}") for e in errors]
    issuer = model.issuers[model.achievements[award.achievement].issuer]
    did = issuer_did(model.site, issuer.slug)
    method = f"{did}#{active_key(issuer, key.public_multibase).id}"
    try:
        return sign.sign_document(document, key, method, document["validFrom"], sign.CREDENTIAL_SUITES), []
    except JsonLdError as exc:
        return None, [Problem(award.source, award.line, "", str(exc))]


def _sign_index(state: tuple[Model, keymod.SigningKey, dict[str, Any]], index: int) -> Any:
    model, key, assignments = state
    award = model.awards[index]
    return _sign_award(model, key, award, assignments[award.fingerprint])


def sign_credentials(model: Model, key: keymod.SigningKey, assignments: dict[str, Any]) -> list[tuple[Any, dict[str, Any]]]:
    """Sign every award's credential (on all cores for large builds)."""
    results = workers.map_indices(_sign_index, len(model.awards), (model, key, assignments))
    problems = [p for _, found in results for p in found]
    if problems:
        raise ContentError(problems)
    return [(award, signed) for award, (signed, _) in zip(model.awards, results)]


def sign_status_lists(model: Model, key: keymod.SigningKey, assignments: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each issuer's revocation list, with the bits of its revoked awards set, signed."""
    lists = {}
    for slug, issuer in model.issuers.items():
        revoked = [assignments[a.fingerprint].status_index for a in model.awards
                   if a.revoked and model.achievements[a.achievement].issuer == slug]
        document = cred.status_list(issuer, model, revoked)
        method = f"{issuer_did(model.site, slug)}#{active_key(issuer, key.public_multibase).id}"
        lists[slug] = sign.sign_document(document, key, method, document["validFrom"], sign.CREDENTIAL_SUITES)
    return lists


def build(options: BuildOptions) -> BuildResult:
    """Build the site into ``options.out``; on any error, leave it untouched."""
    from .write import BuildLock

    project_root = Path(options.content).absolute().parent
    with BuildLock(project_root):
        return _build_locked(options, project_root)


def _build_locked(options: BuildOptions, project_root: Path) -> BuildResult:
    from .write import Writer

    content = Path(options.content)
    model, warnings = check_content(content, options.strict, options.now)
    key = keymod.resolve_signing_key(options.key_path, options.environ, project_root, options.warn)
    check_key(model, key)
    _refuse_dangerous_out(content, Path(options.out))
    lock = Lock.read(content, clean=True)
    assignments = lock.assign(model.awards, options.random_bytes, frozen=options.frozen)
    signed = sign_credentials(model, key, assignments)
    status_lists = sign_status_lists(model, key, assignments)
    templates = options.templates or project_root / "site_templates"
    files = site_files(model, signed, assignments, status_lists, key.public_multibase, templates)
    writer = Writer(Path(options.out))
    try:
        for rel, data in files:
            writer.write_bytes(rel, data)
        # The lock goes first: if the swap then fails, the next build reuses the
        # very same ids; the other way round a crash could publish ids it forgot.
        if lock.changed or not lock.existed:
            lock.write()
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return BuildResult(Path(options.out), len(signed), len(files), key.public_multibase, key.development, warnings)


def _refuse_dangerous_out(content: Path, out: Path) -> None:
    content_abs, out_abs = content.resolve(), out.resolve()
    if out_abs == content_abs or content_abs.is_relative_to(out_abs) or out_abs.is_relative_to(content_abs):
        raise ContentError([Problem(str(out), None, "", "the output folder must not contain or be inside the content folder")])
    if out_abs == Path(out_abs.anchor) or out_abs == Path.home() or out_abs == Path(os.getcwd()).resolve():
        raise ContentError([Problem(str(out), None, "", "refusing to replace this folder with the site")])


def check_all(content: Path, strict: bool = False, now: datetime | None = None, frozen: bool = False) -> tuple[Model, list[Problem]]:
    """``credpress check``: content and every unsigned credential, writing nothing.

    Ids and salts come from the lock where it has them and are drawn (and thrown
    away) otherwise; the lock file is not written.
    """
    model, warnings = check_content(content, strict, now)
    assignments = Lock.read(Path(content)).assign(model.awards, frozen=frozen)
    problems = []
    for award in model.awards:
        document = cred.unsigned_credential(award, assignments[award.fingerprint], model)
        problems += [Problem(award.source, award.line, "", f"credential would be invalid: {e}")
                     for e in schema.check_credential(document)]
        try:
            sign.SUITES["eddsa-rdfc-2022"].canonicalize(document)
        except JsonLdError as exc:
            problems.append(Problem(award.source, award.line, "", str(exc)))
    if problems:
        raise ContentError(problems)
    return model, warnings
