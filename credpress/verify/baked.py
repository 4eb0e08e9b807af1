"""The credential baked into a PNG or SVG badge image, for ``credpress verify``.

Reading the image is :mod:`credpress.vc.baking`'s job (OB 3.0 §5.3: one
uncompressed ``iTXt`` chunk keyed ``openbadgecredential``, or one
``<openbadges:credential>`` element; two are refused, as the browser verifier
refuses them). This module bounds the file's size before anything is decoded,
turns every failure into a :class:`BakedError` with a plain message (an Open
Badges 2.0 badge and a VC-JWT are named as such) and never raises anything else.
"""

from __future__ import annotations

from ..errors import BakingError
from ..vc.baking import PNG_SIGNATURE, holds_open_badges_2, unbake_png, unbake_svg

MAX_BADGE_BYTES = 8_000_000  # as verify.js: a badge image is far smaller
_OB2 = "this is an Open Badges 2.0 badge (an assertion, not a credential); credpress verify checks Open Badges 3.0"


class BakedError(ValueError):
    """The image holds no credential we can check; the message says why, in plain words."""


def is_png(data: bytes) -> bool:
    """Whether *data* starts with the PNG signature."""
    return data.startswith(PNG_SIGNATURE)


def unbake(data: bytes, kind: str) -> bytes:
    """The credential's JSON bytes baked into *data*, a ``"png"`` or ``"svg"`` image."""
    if len(data) > MAX_BADGE_BYTES:
        raise BakedError(f"the image is larger than {MAX_BADGE_BYTES} bytes")
    try:
        text = unbake_png(data) if kind == "png" else unbake_svg(data)
    except BakingError as exc:
        raise BakedError(_OB2 if holds_open_badges_2(data) else str(exc)) from None
    except Exception as exc:  # a hostile image gives a message, never a crash
        raise BakedError(f"the {kind.upper()} could not be read: {type(exc).__name__}") from None
    if not text.strip().startswith("{"):
        raise BakedError("the badge holds a VC-JWT (or other text), which credpress verify does not check")
    return text.encode("utf-8")
