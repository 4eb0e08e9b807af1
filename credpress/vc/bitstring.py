"""Bitstring Status List (W3C REC): revocation by a signed, published bitstring.

Bitstring Status List §2.1, §2.2, §3.2: every credential carries a ``BitstringStatusListEntry`` with a
random index into its issuer's list; revoking sets that bit in the list, which
is re-signed and republished; the credential itself never changes.
"""

from __future__ import annotations

import base64
import gzip
import zlib
from collections.abc import Iterable
from typing import Any

from .contexts import VC_V2

# The minimum length verifiers accept (herd privacy): 16 KiB of bits.
LIST_BITS = 131_072
MAX_LIST_BYTES = 16 * 1024 * 1024  # 134 million entries: far more than any real list
PURPOSE = "revocation"


def encode_list(revoked: Iterable[int], size: int = LIST_BITS) -> str:
    """``u`` + base64url (no padding) of the GZIP of the bitstring.

    Index 0 is the left-most bit: the most significant bit of byte 0.
    GZIP's timestamp is fixed at 0 so the same bits give the same bytes.
    """
    bits = bytearray(size // 8)
    for index in revoked:
        if not 0 <= index < size:
            raise ValueError(f"status index {index} is outside the list")
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode_list(encoded: str, max_bytes: int = MAX_LIST_BYTES) -> bytes:
    """The raw bitstring of an ``encodedList`` (ValueError when malformed).

    A verifier decodes lists from anywhere: inflating stops at *max_bytes*, so a
    small hostile download cannot expand into gigabytes (a "gzip bomb").
    """
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise ValueError("encodedList is not multibase base64url ('u…')")
    body = encoded[1:]
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj(wbits=31)  # gzip framing
        bits = inflater.decompress(packed, max_bytes)
        if inflater.unconsumed_tail:
            raise ValueError(f"it is larger than {max_bytes} bytes")
        if not inflater.eof:
            raise ValueError("compressed data ended early")
        return bits
    except (ValueError, zlib.error) as exc:
        raise ValueError(f"encodedList does not decode: {exc}") from None


def bit_is_set(bits: bytes, index: int) -> bool:
    """Whether bit *index* is set (index 0 is the left-most bit of byte 0)."""
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_entry(list_url: str, index: int) -> dict[str, Any]:
    """The credential's ``credentialStatus`` (index as a base-10 string; ``id`` present)."""
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_list_credential(list_url: str, issuer_id: str, valid_from: str, revoked: Iterable[int]) -> dict[str, Any]:
    """The unsigned ``BitstringStatusListCredential`` published at *list_url*."""
    return {
        "@context": [VC_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encode_list(revoked),
        },
    }
