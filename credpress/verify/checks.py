"""``credpress verify``: check Open Badges 3.0 credentials the way a relying party would.

:func:`verify_credential` runs the checks below, in this order, and never
raises: each check reports passed, failed or skipped with a reason.

=============  ==========================================================================
``datamodel``  both OB 3.0 JSON Schemas and the data-model rules (``schema``); every
               ``@context`` is one we ship (VC DM 2.0 §4.3; VC-DI §4.6)
``proof``      every Data Integrity proof verifies (vc-di-eddsa §3.2.2, §3.3.2);
               at least one, none duplicated or conflicting
``issuer-key`` each proof's verificationMethod resolves to a Multikey listed under
               ``assertionMethod`` whose controller is ``issuer.id`` (VC-DI §5.9; CID §3.3)
``status``     the BitstringStatusList bit is clear (Bitstring Status List §3.2); fails closed
``validity``   ``validFrom`` <= now < ``validUntil`` (legacy ``issuanceDate`` /
               ``expirationDate`` are read too, VC DM 2.0 §4.9)
``recipient``  only with a recipient email: it matches an emailAddress identifier (OB 3.0 §9.3)
``embedded``   only for a CLR 2.0 ClrCredential: every credential it embeds verifies on its own
               (:mod:`credpress.verify.embedded`); revoked or expired ones are counted, not failed
=============  ==========================================================================

A credential is ``verified`` (genuine) when no check failed. Otherwise, the first
that applies: ``failed`` when any check failed for another reason than the four
below (forged, tampered, unknown key, unreadable); ``not-recipient`` when the
recipient check failed (a genuine credential of another learner); ``revoked``
when its status bit is set; ``expired`` when its validity period is over.
Running many credentials (folders, processes) is in :mod:`credpress.verify.run`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from ..vc import clr, cryptosuites, datamodel
from ..vc.contexts import is_known_context
from . import embedded as embedding
from .claims import achievement_of, issuer_id, learner_of, recipient_match
from .fetch import Resolver
from .methods import ResolvedMethod, resolve_method, verified_issuer
from .results import (
    EXPIRED_CODE,
    NOT_RECIPIENT_CODE,
    RECORD_CHECK_ID,
    REVOKED_CODES,
    Check,
)
from .results import failed_check as _failed
from .results import passed_check as _passed
from .status import status_check


@dataclass(frozen=True)
class VerificationResult:
    """Every check's outcome for one credential."""

    source: str
    credential_id: str | None
    checks: tuple[Check, ...] = field(default_factory=tuple)
    issuer_name: str | None = None  # what the credential calls its issuer: a claim, never checked
    issuer_domain: str | None = None  # who signed (verified_issuer), once proof and issuer-key passed
    embedded: tuple[VerificationResult, ...] = ()  # a ClrCredential's credentials, each verified
    learner: str | None = None  # the signed name IdentityObject (OB 3.0 App. B, #identityobject)
    learner_identity: str | None = None  # without a name, what identifies the learner ("a hashed email")
    achievement: str | None = None  # credentialSubject.achievement.name
    found_in: str | None = None  # "a baked PNG", "a baked SVG", "the badge page <url>": where it was found
    hint: str | None = None  # advice when the failure is ours to explain (e.g. a local build without --map)

    @property
    def status(self) -> str:
        """verified, failed, not-recipient, revoked or expired (see the module docstring)."""
        failures = [c for c in self.checks if c.failed]
        if any(c.code not in (*REVOKED_CODES, EXPIRED_CODE, NOT_RECIPIENT_CODE) for c in failures):
            return "failed"
        if any(c.code == NOT_RECIPIENT_CODE for c in failures):
            return NOT_RECIPIENT_CODE
        if any(c.code in REVOKED_CODES for c in failures):
            return "revoked"
        return "expired" if failures else "verified"

    def check(self, check_id: str) -> Check | None:
        """The outcome of the check *check_id*, if it ran."""
        return next((c for c in self.checks if c.id == check_id), None)

    def to_json(self) -> dict[str, Any]:
        """The result as JSON (``credpress verify --json``); names are what the credential says."""
        out = {
            "source": self.source,
            "id": self.credential_id,
            "status": self.status,
            "learner": self.learner,
            "learner_identity": self.learner_identity,
            "achievement": self.achievement,
            "issuer_name": self.issuer_name,
            "issuer_domain": self.issuer_domain,
            "checks": [c.to_json() for c in self.checks],
        }
        if self.embedded:
            out["embedded"] = [r.to_json() for r in self.embedded]
        for name in ("found_in", "hint"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        return out


def verify_credential(
    document: Any, resolver: Resolver, now: datetime, recipient: str | None = None, source: str = ""
) -> VerificationResult:
    """Run every check on *document* (a parsed credential). Never raises."""
    doc = document if isinstance(document, dict) else {}
    issuer = issuer_id(doc)
    try:
        proofs, proof_problem = _proof_list(doc)
        keys = {vm: resolve_method(vm, resolver) for vm in _methods(proofs)}
    except Exception as exc:  # e.g. values JSON cannot hold, from a caller passing objects
        proofs, proof_problem, keys = [], f"the proofs could not be read: {exc}", {}
    checks = [
        _guard("datamodel", lambda: _datamodel(document)),
        _guard("proof", lambda: _proof(doc, proofs, proof_problem, keys)),
        _guard("issuer-key", lambda: _issuer_key(keys, issuer)),
        _guard("status", lambda: _status(doc, issuer, resolver, now)),
        _guard("validity", lambda: _validity(doc, now)),
    ]
    if recipient is not None:
        checks.append(_guard("recipient", lambda: _recipient(doc, recipient)))
    inner: tuple[VerificationResult, ...] = ()
    if clr.is_clr(doc):  # a learner record: every credential it embeds, on its own
        inner = embedding.verify_embedded(
            doc, source, lambda vc, where: verify_credential(vc, resolver, now, None, where)
        )
        checks.append(_guard(RECORD_CHECK_ID, lambda: _embedded(inner)))
    credential_id = doc.get("id") if isinstance(doc.get("id"), str) else None
    profile = doc.get("issuer")
    name = profile.get("name") if isinstance(profile, dict) and isinstance(profile.get("name"), str) else None
    signed = not any(c.failed for c in checks if c.id in ("proof", "issuer-key"))
    domain = verified_issuer(issuer) if signed else None
    learner, identity = learner_of(doc)
    return VerificationResult(
        source,
        credential_id,
        tuple(checks),
        name,
        domain,
        embedded=inner,
        learner=learner,
        learner_identity=identity,
        achievement=achievement_of(doc),
    )


def _embedded(results: tuple[VerificationResult, ...]) -> Check:
    genuine, message, lines = embedding.summary(results)
    return _passed("embedded", message) if genuine else _failed("embedded", message, details=lines)


def _guard(check_id: str, run: Callable[[], Check]) -> Check:
    try:
        return run()
    except Exception as exc:  # a hostile document must give a failed check, not a crash
        return _failed(check_id, f"could not be checked: {type(exc).__name__}: {exc}")


# --- datamodel ------------------------------------------------------------------------


def _datamodel(document: Any) -> Check:
    if not isinstance(document, dict):
        return _failed("datamodel", "the credential is not a JSON object")
    contexts = document.get("@context")
    errors = [
        f"unknown JSON-LD context {ctx!r}" if isinstance(ctx, str) else "inline @context objects are not accepted"
        for ctx in (contexts if isinstance(contexts, list) else [contexts])
        if contexts is not None and not (isinstance(ctx, str) and is_known_context(ctx))
    ]
    # VC 2.0 allows one proof object or an array; the strict OB schema only an array
    # (VC-DI §2.1; the strict OB 3.0 schema, App. E.2). We emit arrays but read both: the 1EdTech vector and
    # Digital Bazaar's vc.issue() use an object. The proof check checks the proofs.
    if isinstance(document.get("proof"), dict):
        document = {**document, "proof": [document["proof"]]}
    is_record = clr.is_clr(document)
    errors += clr.check_clr(document) if is_record else datamodel.check_credential(document)
    if errors:
        first = errors[0] if len(errors[0]) <= 200 else errors[0][:200] + "…"  # the rest is in details
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return _failed("datamodel", first + more, details=errors)
    if is_record:
        return _passed("datamodel", "valid ClrCredential (CLR 2.0 JSON Schema and data model rules)")
    return _passed("datamodel", "valid OpenBadgeCredential (OB 3.0 JSON Schemas and data model rules)")


# --- proof and issuer-key -------------------------------------------------------------


def _proof_list(doc: dict[str, Any]) -> tuple[list[Any], str | None]:
    """The proofs (``proof`` is an array or a single object) and what is wrong with the set."""
    raw = doc.get("proof")
    proofs = raw if isinstance(raw, list) else [] if raw is None else [raw]
    if not proofs:
        return [], "the credential has no proof"
    if not all(isinstance(p, dict) for p in proofs):
        return proofs, "a proof is not a JSON object"
    seen: set[str] = set()
    signers: set[tuple[Any, Any]] = set()
    for proof in proofs:
        text = json.dumps(proof, sort_keys=True)
        if text in seen:
            return proofs, "the same proof appears twice"
        seen.add(text)
        # One key signs once per cryptosuite: two different such proofs cannot both be
        # "the" signature, so a set that contains them is ambiguous (conflicting).
        signer = (proof.get("cryptosuite"), proof.get("verificationMethod"))
        if signer in signers:
            return proofs, f"conflicting proofs: two {signer[0]} proofs by {signer[1]}"
        signers.add(signer)
        if "previousProof" in proof:
            return proofs, "proof chains (previousProof) are not supported"
    return proofs, None


def _methods(proofs: list[Any]) -> list[str]:
    methods = [p.get("verificationMethod") for p in proofs if isinstance(p, dict)]
    return list(dict.fromkeys(m for m in methods if isinstance(m, str)))


def _proof(doc: dict[str, Any], proofs: list[Any], problem: str | None, keys: dict[str, ResolvedMethod]) -> Check:
    if problem:
        return _failed("proof", problem)

    def public_key_for(vm: str) -> str | None:
        return keys[vm].public_key if vm in keys else None

    results = [cryptosuites.verify_proof(doc, p, public_key_for) for p in proofs]
    if any(not r.ok for r in results):
        grouped: dict[tuple[Any, str], list[str]] = {}
        for r in results:
            if not r.ok:
                unresolved = r.verification_method in keys and keys[r.verification_method].error
                reason = "cannot be checked: its key was not found (see issuer-key)" if unresolved else r.reason
                grouped.setdefault((r.verification_method, reason), []).append(r.cryptosuite)
        reasons = [f"{_suites(suites, 'proof')} by {vm}: {reason}" for (vm, reason), suites in grouped.items()]
        return _failed("proof", "; ".join(reasons), details=reasons)
    by_method: dict[str | None, list[str]] = {}
    for r in results:
        by_method.setdefault(r.verification_method, []).append(r.cryptosuite)
    return _passed("proof", "; ".join(f"{_suites(s, 'signature')} valid ({vm})" for vm, s in by_method.items()))


def _suites(names: list[str], noun: str) -> str:
    return f"{' and '.join(names)} {noun}{'s' if len(names) > 1 else ''}"


def _issuer_key(keys: dict[str, ResolvedMethod], issuer: str | None) -> Check:
    if not keys:
        return _failed("issuer-key", "no proof names a verificationMethod")
    problems: list[str] = []
    for method in keys.values():
        if method.error:
            problems.append(method.error)
            continue
        problems += method.problems
        # VC DM 2.0 App. A.3, VC-DI §5.9 (and the 1EdTech validator): the key controller must be the issuer.
        if method.controller != issuer:
            problems.append(f"the key {method.method_id} belongs to {method.controller}, not to the issuer {issuer}")
    if problems:
        return _failed("issuer-key", "; ".join(problems), details=problems)
    named = ", ".join(keys)
    return _passed("issuer-key", f"{named} is an assertionMethod key of the issuer {issuer}")


# --- status ----------------------------------------------------------------------------


def _status(doc: dict[str, Any], issuer: str | None, resolver: Resolver, now: datetime) -> Check:
    return status_check(doc, issuer, resolver, now, partial(_list_problem, resolver, now))


def _list_problem(resolver: Resolver, now: datetime, doc: dict[str, Any]) -> str | None:
    """Why a status list credential cannot be trusted: its proofs, issuer key and validity."""
    proofs, problem = _proof_list(doc)
    keys = {vm: resolve_method(vm, resolver) for vm in _methods(proofs)}
    for check in (_proof(doc, proofs, problem, keys), _issuer_key(keys, issuer_id(doc)), _validity(doc, now)):
        if check.failed:
            return f"its {check.id} check failed: {check.message}"
    return None


# --- validity and recipient -----------------------------------------------------------


def _moment(doc: dict[str, Any], *names: str) -> tuple[str, datetime] | None:
    for name in names:
        if name in doc:
            value = doc[name]
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
            if moment is None or moment.tzinfo is None:
                raise ValueError(f"{name} {value!r} is not a date-time with a time zone")
            return value, moment
    return None


def _validity(doc: dict[str, Any], now: datetime) -> Check:
    try:
        start = _moment(doc, "validFrom", "issuanceDate")
        end = _moment(doc, "validUntil", "expirationDate")
    except ValueError as exc:
        return _failed("validity", str(exc))
    if start and now < start[1]:
        return _failed("validity", f"not valid yet: valid from {start[0]}", code="not-yet-valid")
    if end and now >= end[1]:
        return _failed("validity", f"expired on {end[0]}", code=EXPIRED_CODE)
    since = f"valid from {start[0]}" if start else "no validFrom"
    return _passed("validity", since + (f" until {end[0]}" if end else ", no expiry date"))


def _recipient(doc: dict[str, Any], email: str) -> Check:
    """OB 3.0 §9.3 (IdentityHash): a mismatch is its own code, not a forgery."""
    matched, message = recipient_match(doc, email)
    return _passed("recipient", message) if matched else _failed("recipient", message, code=NOT_RECIPIENT_CODE)
