"""The site data: everything the generators need, gathered in full before any renders.

Pages that refer to each other (an achievement page counting its awards, the
home page counting credentials) read the same complete data, so they agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..content.model import Model
from ..documents.record import CredentialRecord
from .layout import Layout
from .render import Renderer, environment

if TYPE_CHECKING:
    from ..build_cache import BuildCache
    from .views import Views


@dataclass(frozen=True)
class SiteData:
    """The model, every signed credential's record, the signed status lists and the key."""

    model: Model
    records: tuple[CredentialRecord, ...]
    status_lists: dict[str, dict[str, Any]]  # issuer slug -> signed status list credential
    public_key: str  # the signing key's publicKeyMultibase
    templates: Path | None = None  # the provider's site_templates/ (overrides)
    cache: BuildCache | None = None  # rendered pages of earlier builds (credpress.build_cache)
    progress: Callable[[str, int, int], None] | None = None  # (stage, done, total), for a progress bar
    layout: Layout = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "layout", Layout(self.model.site))

    @cached_property
    def records_by_achievement(self) -> dict[str, list[CredentialRecord]]:
        """Achievement slug -> its credentials, in award order."""
        found: dict[str, list[CredentialRecord]] = {}
        for record in self.records:
            found.setdefault(record.achievement.slug, []).append(record)
        return found

    @cached_property
    def renderer(self) -> Renderer:
        """The template renderer (the provider's templates first)."""
        return Renderer(environment(self.templates), {"site": self.model.site})

    @cached_property
    def views(self) -> Views:
        """View builders shared by every generator."""
        from .views import Views

        return Views(self)

    def page(self, template: str, path: str, **context: Any) -> tuple[str, bytes]:
        """The output file of the page at *path* (a folder), rendered from *template*."""
        return path + "index.html", self.renderer.page(template, path, **context).encode("utf-8")
