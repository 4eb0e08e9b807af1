"""``credpress keygen``: create a signing key file somewhere safe."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import KeyConfigError
from .vc import keys

DEFAULT_KEY_PATH = Path("~/.config/credpress/signing-key.pem")


def create_key_file(
    path: Path | None, content: Path, rotate: bool = False, current_key_path: Path | None = None
) -> tuple[Path, keys.SigningKey, list[str]]:
    """Generate a key and write it (0600) to *path*, refusing the content folder.

    With *rotate*, also record it as every issuer's active key (see rotate_to);
    if that fails, the new key file is removed again.
    """
    target = (path or DEFAULT_KEY_PATH).expanduser()
    if target.absolute().resolve().is_relative_to(Path(content).absolute().resolve()):
        raise KeyConfigError(f"refusing to write a private key inside the content folder {content}")
    if target.exists():
        raise KeyConfigError(f"{target} already exists; not overwriting a key")
    key = keys.generate(f"key file {target}")
    keys.write_key_file(target, key)
    try:
        changed = rotate_to(key, content, current_key_path) if rotate else []
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target, key, changed


def rotate_to(new_key: keys.SigningKey, content: Path, current_key_path: Path | None) -> list[str]:
    """Record *new_key* as every issuer's active key, retiring the current one."""
    from .content.edit import rotate_keys
    from .output.buildlock import BuildLock

    current = None
    if current_key_path is not None or os.environ.get(keys.ENV_VAR, "").strip():
        current = keys.resolve_signing_key(current_key_path).public_multibase
    # Like revoke and erase: the issuer YAML is not edited while a build reads it.
    with BuildLock(Path(content).absolute().parent, "keygen --rotate"):
        return rotate_keys(Path(content), new_key.public_multibase, current)
