"""The steps and moves of a published process version, read once per process and kept.

A published version is never edited again (``processes``: drafts are edited,
published versions are revised into new drafts), so what it holds can be
kept in each process's cache for good: the workflow reads it on every
action and every dossier page without asking the database again. A draft is
read every time.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache

from .models import ProcessStep, ProcessTransition, ProcessVersion, StepKind

CACHE_KEY = "motcua.workflow.version.{}"
CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class StepDef:
    """A step of a process version."""

    id: int
    order: int
    name: str
    kind: str
    role: str
    agency_source: str
    agency_id: int | None
    share: Decimal


@dataclass(frozen=True)
class VersionDef:
    """A process version: its steps in order and the moves between them."""

    id: int
    steps: tuple[StepDef, ...]
    moves: tuple[tuple[int, str, int], ...]  # (source step, kind, target step)

    def step(self, step_id: int) -> StepDef:
        return next(s for s in self.steps if s.id == step_id)

    def first(self) -> StepDef:
        return self.steps[0]

    def targets(self, step_id: int, kind: str) -> list[StepDef]:
        """Return the steps ``step_id`` leads to by moves of ``kind``, in process order."""
        ids = {t for s, k, t in self.moves if s == step_id and k == kind}
        return [s for s in self.steps if s.id in ids]

    def moves_of(self, step_id: int) -> list[tuple[str, StepDef]]:
        """Return the moves of a step: (kind, target), in the targets' order."""
        by_id = {s.id: s for s in self.steps}
        found = [(k, by_id[t]) for s, k, t in self.moves if s == step_id]
        return sorted(found, key=lambda m: m[1].order)

    @property
    def intake(self) -> StepDef:
        return next(s for s in self.steps if s.kind == StepKind.INTAKE)


def version_structure(version_id: int) -> VersionDef:
    """Return the steps and moves of a process version (no query once a published one is kept)."""
    key = CACHE_KEY.format(version_id)
    kept = cache.get(key)
    if isinstance(kept, VersionDef):
        return kept
    published = (
        ProcessVersion.objects.filter(pk=version_id).values_list("published_at", flat=True).first()
    )
    steps = tuple(
        StepDef(*row)
        for row in ProcessStep.objects.filter(version_id=version_id)
        .order_by("order")
        .values_list("id", "order", "name", "kind", "role", "agency_source", "agency_id", "share")
    )
    moves = tuple(
        ProcessTransition.objects.filter(version_id=version_id)
        .order_by("id")
        .values_list("source_id", "kind", "target_id")
    )
    found = VersionDef(version_id, steps, moves)
    if published is not None:
        cache.set(key, found, CACHE_SECONDS)
    return found
