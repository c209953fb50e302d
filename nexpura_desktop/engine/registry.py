"""How connectors declare their jobs to the engine.

A connector registers each job by name (``<service>.<entity>.<direction>``) with a
factory.  *Sync* jobs make up "sync service X" in registration order (so products can
come before the orders that refer to them); *maintenance* jobs (daily reconciliation,
token keep-alive, delivery-status polling, backup exports) run only on their own
schedule or when named explicitly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .job import JobFactory, JobName
from .schedule import Schedule

DIRECTIONS = ("import", "export")


@dataclass(frozen=True)
class JobSpec:
    name: JobName
    factory: JobFactory
    maintenance: bool = False
    schedule: Schedule | None = None  # the default for maintenance jobs
    description: str = ""

    @property
    def service(self) -> str:
        return self.name.service


class Registry:
    def __init__(self) -> None:
        self._jobs: dict[str, JobSpec] = {}

    def register(self, name: str, factory: JobFactory, *, description: str = "") -> JobSpec:
        """Add a sync job (part of "sync <service>")."""
        return self._add(JobSpec(JobName.parse(name), factory, description=description))

    def register_maintenance(
        self,
        name: str,
        factory: JobFactory,
        *,
        schedule: Schedule | Mapping[str, Any],
        description: str = "",
    ) -> JobSpec:
        """Add a maintenance job with its default schedule (the owner may override it)."""
        sched = schedule if isinstance(schedule, Schedule) else Schedule.from_config(schedule)
        spec = JobSpec(JobName.parse(name), factory, True, sched, description)
        return self._add(spec)

    def _add(self, spec: JobSpec) -> JobSpec:
        key = str(spec.name)
        if key in self._jobs:
            raise ValueError(f"job {key} is registered twice")
        self._jobs[key] = spec
        return spec

    def get(self, name: str) -> JobSpec:
        try:
            return self._jobs[name]
        except KeyError:
            raise KeyError(f"no job named {name!r} is registered") from None

    def __contains__(self, name: object) -> bool:
        return name in self._jobs

    def services(self) -> list[str]:
        """Services with sync jobs, in the order they were first registered."""
        seen: dict[str, None] = {}
        for spec in self._jobs.values():
            if not spec.maintenance:
                seen.setdefault(spec.service, None)
        return list(seen)

    def sync_jobs(
        self,
        service: str,
        entity: str | None = None,
        direction: str | None = None,
        *,
        directions: Mapping[str, str] | None = None,
    ) -> list[JobSpec]:
        """The jobs that "sync ``service``" runs, in order.

        ``direction`` ``None``/``"both"`` means both ways; ``directions`` is the owner's
        per-entity choice stored on the integration (``import``/``export``/``both``/``off``).
        """
        if direction not in (None, "both", *DIRECTIONS):
            raise ValueError(f"direction must be import, export or both, not {direction!r}")
        chosen = []
        for spec in self._jobs.values():
            n = spec.name
            if spec.maintenance or n.service != service:
                continue
            if entity is not None and n.entity != entity:
                continue
            if direction in DIRECTIONS and n.direction != direction:
                continue
            allowed = (directions or {}).get(n.entity, "both")
            if allowed == "off" or (allowed in DIRECTIONS and n.direction != allowed):
                continue
            chosen.append(spec)
        return chosen

    def maintenance_jobs(self) -> list[JobSpec]:
        return [s for s in self._jobs.values() if s.maintenance]
