"""Ed25519 signing keys: generate, load from the environment or a file, describe.

A :class:`SigningKey` never shows its secret in ``repr``/``str``; error messages
name where a key was looked for, never its value.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..errors import KeyConfigError
from . import multibase

ENV_VAR = "CREDPRESS_SIGNING_KEY"
DEV_KEY_PATH = Path(".credpress") / "dev-signing-key.pem"


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 private key plus where it came from (for messages)."""

    _private: Ed25519PrivateKey = field(repr=False)
    source: str
    development: bool = False

    @property
    def public_multibase(self) -> str:
        raw = self._private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return multibase.encode_public_key(raw)

    def sign(self, data: bytes) -> bytes:
        return self._private.sign(data)

    def secret_multibase(self) -> str:
        """The value to store in the CI secret. Only ``keygen`` prints it."""
        return multibase.encode_secret_key(_seed(self._private))

    def pem(self) -> bytes:
        return self._private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def __str__(self) -> str:
        return f"signing key {self.public_multibase} from {self.source}"


def _seed(private: Ed25519PrivateKey) -> bytes:
    return private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def verify_signature(public_multibase: str, signature: bytes, data: bytes) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(multibase.decode_public_key(public_multibase))
        key.verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def generate(source: str = "a new key") -> SigningKey:
    return SigningKey(Ed25519PrivateKey.generate(), source)


def from_seed(seed: bytes, source: str) -> SigningKey:
    return SigningKey(Ed25519PrivateKey.from_private_bytes(seed), source)


def parse_key(text: str, source: str) -> SigningKey:
    """Read a key given as a ``z3u2…`` multibase secret or an Ed25519 PKCS#8 PEM."""
    text = text.strip()
    if not text:
        raise KeyConfigError(f"the signing key in {source} is empty")
    if text.startswith("-----BEGIN"):
        try:
            private = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        except (ValueError, TypeError, UnicodeEncodeError):
            raise KeyConfigError(f"the signing key in {source} is not a readable PEM private key") from None
        if not isinstance(private, Ed25519PrivateKey):
            raise KeyConfigError(f"the signing key in {source} is not an Ed25519 key")
        return SigningKey(private, source)
    try:
        seed = multibase.decode_secret_key(text)
    except ValueError:
        raise KeyConfigError(
            f"the signing key in {source} is neither a z3u2… multibase Ed25519 secret key nor a PEM file"
        ) from None
    return from_seed(seed, source)


MAX_KEY_FILE = 64 * 1024


def read_key_file(path: Path, warn: Callable[[str], None] | None = None) -> SigningKey:
    """Read a key file; refuses anything but a regular file (a FIFO would block forever)."""
    source = f"key file {path}"
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise KeyConfigError(f"{source} is not a regular file (a pipe, device or folder?); give a key file")
        # O_NONBLOCK: even if it was swapped for a FIFO since, opening it cannot block.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise KeyConfigError(f"{source} does not exist") from None
    except OSError:
        raise KeyConfigError(f"{source} cannot be read") from None
    try:
        with os.fdopen(fd, "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise KeyConfigError(f"{source} is not a regular file (a pipe, device or folder?); give a key file")
            raw = handle.read(MAX_KEY_FILE + 1)
        if len(raw) > MAX_KEY_FILE:
            raise KeyConfigError(f"{source} is too large to be a key file")
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        raise KeyConfigError(f"{source} cannot be read") from None
    if warn and mode & (stat.S_IRWXG | stat.S_IRWXO):
        warn(f"warning: {source} is readable by other users; run: chmod 600 {path}")
    return parse_key(text, source)


def check_key_location(key_path: Path | None, content: Path, out: Path) -> None:
    """Refuse a key file inside the output folder (the build replaces it, and it is published)
    or inside the content folder (committed to git). Names the path, never the key."""
    if key_path is None:
        return
    where = Path(key_path).absolute().resolve()
    if where.is_relative_to(Path(out).absolute().resolve()):
        raise KeyConfigError(
            f"the key file {key_path} is inside the output folder {out}, which the build replaces and which is "
            "published: move the key out of it (for example to ~/.config/credpress/)"
        )
    if where.is_relative_to(Path(content).absolute().resolve()):
        raise KeyConfigError(
            f"the key file {key_path} is inside the content folder {content}, which is committed to git: move it "
            "out (for example to ~/.config/credpress/); if it was ever committed, treat it as leaked "
            "(credpress keygen --rotate)"
        )


def write_key_file(path: Path, key: SigningKey) -> None:
    """Create *path* with mode 0600 (refusing to overwrite) and write the PEM."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.pem())
    os.chmod(path, 0o600)


def configured_signing_key(
    key_path: Path | None,
    environ: Mapping[str, str] | None = None,
    project_root: Path | None = None,
    warn: Callable[[str], None] | None = None,
) -> SigningKey | None:
    """:func:`resolve_signing_key` where that creates nothing: None where it would make a new
    development key, or fail for want of a key under ``CI=true``."""
    env = os.environ if environ is None else environ
    if key_path is None and not env.get(ENV_VAR, "").strip():
        root = Path.cwd() if project_root is None else project_root
        if env.get("CI", "").lower() == "true" or not (root / DEV_KEY_PATH).exists():
            return None
    return resolve_signing_key(key_path, environ, project_root, warn)


def resolve_signing_key(
    key_path: Path | None,
    environ: Mapping[str, str] | None = None,
    project_root: Path | None = None,
    warn: Callable[[str], None] | None = None,
) -> SigningKey:
    """Find the signing key: ``--key PATH``, else $CREDPRESS_SIGNING_KEY, else a dev key.

    Under ``CI=true`` a missing key is an error instead of a development key.
    """
    env = os.environ if environ is None else environ
    warn = warn or (lambda message: print(message, file=sys.stderr))
    if key_path is not None:
        return read_key_file(Path(key_path), warn)
    if env.get(ENV_VAR, "").strip():
        return parse_key(env[ENV_VAR], f"${ENV_VAR}")
    if env.get("CI", "").lower() == "true":
        raise KeyConfigError(
            f"no signing key: set ${ENV_VAR} (a repository secret) or pass --key PATH; "
            "CI=true never uses a development key"
        )
    root = Path.cwd() if project_root is None else project_root
    dev_path = root / DEV_KEY_PATH
    if dev_path.exists():
        key = read_key_file(dev_path, warn)
    else:
        key = generate()
        write_key_file(dev_path, key)
        gitignore = dev_path.parent / ".gitignore"
        gitignore.write_text("*\n", "utf-8")
    warn(
        "WARNING: no signing key configured (--key or $CREDPRESS_SIGNING_KEY).\n"
        f"WARNING: signing with the DEVELOPMENT key {dev_path} ({key.public_multibase}).\n"
        "WARNING: do not deploy this build; run `credpress keygen` for a real key."
    )
    return SigningKey(key._private, f"development key {dev_path}", development=True)
