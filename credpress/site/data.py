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

from ..content.model import Achievement, Model
from ..documents.learner import LearnerRecord
from ..documents.record import CredentialRecord
from .layout import Layout
from .render import Renderer, environment

if TYPE_CHECKING:
    from ..build_cache import BuildCache
    from .previews import Previews
    from .views import Views


@dataclass(frozen=True)
class SiteData:
    """The model, every signed credential's record, the signed status lists and the key."""

    model: Model
    records: tuple[CredentialRecord, ...]
    status_lists: dict[str, dict[int, dict[str, Any]]]  # issuer slug -> list number -> signed status list
    public_key: str  # the signing key's publicKeyMultibase
    templates: Path | None = None  # the provider's site_templates/ (overrides)
    learner_records: tuple[LearnerRecord, ...] = ()  # opted-in learners' records (CLR 2.0), signed
    cache: BuildCache | None = None  # rendered pages of earlier builds (credpress.build_cache)
    progress: Callable[[str, int, int], None] | None = None  # (stage, done, total), for a progress bar
    credential_files_written: bool = False  # the build wrote each credential's JSON as it was signed
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
    def stacks_by_part(self) -> dict[str, list[Achievement]]:
        """Achievement slug -> the stacks that name it (Model.stacks_into for every slug, in one pass)."""
        found: dict[str, list[Achievement]] = {}
        for achievement in self.model.achievements.values():
            for part in achievement.stack:
                found.setdefault(part, []).append(achievement)
        return found

    @cached_property
    def learner_records_by_page(self) -> dict[str, LearnerRecord]:
        """Record page path -> the learner record (what a badge page's ``learner_page`` names)."""
        return {record.page_path: record for record in self.learner_records}

    @cached_property
    def renderer(self) -> Renderer:
        """The template renderer (the provider's templates first)."""
        return Renderer(environment(self.templates), {"site": self.model.site})

    @cached_property
    def views(self) -> Views:
        """View builders shared by every generator."""
        from .views import Views

        return Views(self)

    @cached_property
    def previews(self) -> Previews:
        """Link-preview images and every page's Open Graph view."""
        from .previews import Previews

        return Previews(self)

    def page(self, template: str, path: str, **context: Any) -> tuple[str, bytes]:
        """The output file of the page at *path* (a folder), rendered from *template*.

        A page whose generator names no ``og`` preview gets the site's, so every page has one.
        """
        if "og" not in context:
            context["og"] = self.previews.page_og(path, context.get("title"))
        return path + "index.html", self.renderer.page(template, path, **context).encode("utf-8")
