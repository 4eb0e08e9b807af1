"""``credpress verify``: check credentials the way a relying party would.

fetch (safe HTTP and ``--map`` folders) → methods (verification method to key)
→ checks (one credential, every check, never raises) → run (files, folders,
URLs, worker processes).
"""

from .checks import VerificationResult, verify_credential
from .results import CHECK_IDS, Check

__all__ = ["CHECK_IDS", "Check", "VerificationResult", "verify_credential"]
