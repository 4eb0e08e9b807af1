"""A stack's rule, machine-readable, in its published achievement JSON.

OB 3.0's Achievement has no field for "earned by holding these others" (its
``related`` is for versions and translations, ``alignment`` for competencies),
so the rule is stated with the Credential Transparency Description Language
(CTDL, https://credreg.net/ctdl/terms), the vocabulary built for pathways:
``ceterms:hasCondition`` → ``ceterms:ComponentCondition`` with
``ceterms:requiredNumber`` of its ``ceterms:targetComponent`` parts
(``ceterms:CredentialComponent``, whose ``ceterms:sourceData`` is the part's
achievement URL) and nested conditions. Terms are written as full IRIs: no
published JSON-LD context for CTDL is bundled, and a full IRI expands to itself,
so JSON-LD drops nothing (JSON-LD 1.1 API §5.1.2) and no context is fetched.
"""

from __future__ import annotations

from typing import Any

from ..content.model import Achievement, Model, Requirement
from ..dates import duration_label
from ..site.layout import Layout

CTDL = "https://purl.org/ctdl/terms/"


def pathway_terms(achievement: Achievement, model: Model) -> dict[str, Any]:
    """The CTDL members to add to a stack's published Achievement (none for a single badge)."""
    if achievement.requires is None:
        return {}
    condition = _condition(achievement.requires, model, Layout(model.site))
    within = duration_label(achievement.within)
    if within:
        condition[CTDL + "description"] = f"Every counted part earned within {within} ({achievement.within})."
    return {CTDL + "hasCondition": [condition]}


def _condition(rule: Requirement, model: Model, layout: Layout) -> dict[str, Any]:
    required = len(rule.parts) if rule.count is None else rule.count
    condition: dict[str, Any] = {
        "type": [CTDL + "ComponentCondition"],
        CTDL + "name": ("All" if rule.count is None else f"Any {rule.count}") + f" of {len(rule.parts)}",
        CTDL + "requiredNumber": required,
    }
    targets = [
        {
            "type": [CTDL + "CredentialComponent"],
            CTDL + "name": model.achievements[part].name,
            CTDL + "sourceData": layout.url(layout.achievement_json(part)),
        }
        for part in rule.parts
        if isinstance(part, str)
    ]
    nested = [_condition(part, model, layout) for part in rule.parts if isinstance(part, Requirement)]
    if targets:
        condition[CTDL + "targetComponent"] = targets
    if nested:
        condition[CTDL + "hasCondition"] = nested
    return condition
