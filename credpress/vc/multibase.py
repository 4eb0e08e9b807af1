"""base58btc and the multibase/multicodec forms of Ed25519 keys (CID §2.2.2 Multikey; vc-di-eddsa §2.1.1)."""

from __future__ import annotations

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}
_PAIRS = tuple(a + b for a in _ALPHABET for b in _ALPHABET)  # the two digits of 0 .. 58**2 - 1

ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"
# An Ed25519 signature is 88 base58 characters and a Multikey 48: values read from
# credentials and DID documents are refused beyond this, before any decoding.
MAX_MULTIBASE_CHARS = 128


def b58encode(data: bytes) -> str:
    """base58btc: the big-endian number in base 58 (no leading zero digits), after one "1" per leading zero byte."""
    # Four digits per (costly) division of the big number, two per lookup of a small table;
    # the zero digits ("1") this pads the most significant chunk with are stripped after.
    number = int.from_bytes(data, "big")
    chunks = []
    while number:
        number, chunk = divmod(number, 58**4)
        high, low = divmod(chunk, 58**2)
        chunks.append(_PAIRS[high] + _PAIRS[low])
    chunks.reverse()
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(chunks).lstrip("1")


def b58decode(text: str) -> bytes:
    # Time quadratic in len(text): callers bound untrusted input (MAX_MULTIBASE_CHARS).
    number = 0
    for char in text:
        if char not in _INDEX:
            raise ValueError("not base58btc")
        number = number * 58 + _INDEX[char]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def encode_public_key(raw: bytes) -> str:
    """``z6Mk…``: multibase base58btc of 0xed01 ‖ 32-byte Ed25519 public key."""
    return "z" + b58encode(ED25519_PUB_PREFIX + raw)


def decode_public_key(multibase: str) -> bytes:
    """The 32 raw bytes of a ``z6Mk…`` Ed25519 public key; ValueError otherwise."""
    if not isinstance(multibase, str) or not multibase.startswith("z"):
        raise ValueError("public key is not a base58btc multibase value")
    if len(multibase) > MAX_MULTIBASE_CHARS:
        raise ValueError(f"public key is longer than {MAX_MULTIBASE_CHARS} characters: not an Ed25519 Multikey")
    try:
        data = b58decode(multibase[1:])
    except ValueError:
        raise ValueError("public key is not a base58btc multibase value") from None
    if len(data) != 34 or not data.startswith(ED25519_PUB_PREFIX):
        raise ValueError("public key is not an Ed25519 Multikey (z6Mk…)")
    return data[2:]


def encode_secret_key(seed: bytes) -> str:
    """``z3u2…``: multibase base58btc of 0x8026 ‖ 32-byte seed."""
    return "z" + b58encode(ED25519_PRIV_PREFIX + seed)


def decode_secret_key(multibase: str) -> bytes:
    """The 32-byte seed of a ``z3u2…`` secret key (also accepts seed ‖ public key)."""
    if not multibase.startswith("z"):
        raise ValueError("not a base58btc multibase value")
    data = b58decode(multibase[1:])
    if not data.startswith(ED25519_PRIV_PREFIX) or len(data) not in (34, 66):
        raise ValueError("not an Ed25519 secret key multibase value")
    return data[2:34]


def decode_signature(proof_value: str) -> bytes:
    if not isinstance(proof_value, str) or not proof_value.startswith("z"):
        raise ValueError("proofValue is not base58btc multibase")
    if len(proof_value) > MAX_MULTIBASE_CHARS:
        raise ValueError(f"proofValue is longer than {MAX_MULTIBASE_CHARS} characters: not an Ed25519 signature")
    return b58decode(proof_value[1:])
