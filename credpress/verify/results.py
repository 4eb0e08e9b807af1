"""The outcome of one check, and the words for outcomes, shared by every part of the verifier."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CHECK_IDS = ("datamodel", "proof", "issuer-key", "status", "validity", "recipient")
RECORD_CHECK_ID = "embedded"  # only for a learner record (CLR 2.0 ClrCredential), after the others
PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
# Failure codes that mean "authentic, but no longer (or not yet) valid".
REVOKED_CODES = ("revoked", "suspended")
EXPIRED_CODE = "expired"
# The recipient check's failure: genuine (perhaps), but issued to someone else (OB 3.0 §9.3).
NOT_RECIPIENT_CODE = "not-recipient"
# Every status a result can have, the worst first (see the module docstring).
STATUSES = ("failed", NOT_RECIPIENT_CODE, "revoked", "expired", "verified")


@dataclass(frozen=True)
class Check:
    """One check's outcome: ``result`` is passed, failed or skipped."""

    id: str
    result: str
    message: str
    code: str = ""  # for a failure that is not "broken": revoked, suspended, expired, not-recipient
    details: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        """Whether the check failed."""
        return self.result == FAILED

    def to_json(self) -> dict[str, Any]:
        """The check as JSON (``credpress verify --json``)."""
        out: dict[str, Any] = {"id": self.id, "result": self.result, "message": self.message}
        if self.code:
            out["code"] = self.code
        if self.details:
            out["details"] = list(self.details)
        return out


def passed_check(check_id: str, message: str) -> Check:
    """A passed check."""
    return Check(check_id, PASSED, message)


def failed_check(check_id: str, message: str, code: str = "", details: list[str] | None = None) -> Check:
    """A failed check (*code* for a failure that is not "broken": revoked, expired…)."""
    return Check(check_id, FAILED, message, code, tuple(details or ()))
