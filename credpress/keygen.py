"""``credpress keygen``: create a signing key file somewhere safe."""

from __future__ import annotations

from pathlib import Path

from . import keys
from .errors import KeyConfigError

DEFAULT_KEY_PATH = Path("~/.config/credpress/signing-key.pem")


def create_key_file(path: Path | None, content: Path) -> tuple[Path, keys.SigningKey]:
    """Generate a key and write it (0600) to *path*, refusing the content folder."""
    target = (path or DEFAULT_KEY_PATH).expanduser()
    if target.absolute().resolve().is_relative_to(Path(content).absolute().resolve()):
        raise KeyConfigError(f"refusing to write a private key inside the content folder {content}")
    if target.exists():
        raise KeyConfigError(f"{target} already exists; not overwriting a key")
    key = keys.generate(f"key file {target}")
    keys.write_key_file(target, key)
    return target, key
