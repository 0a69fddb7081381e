"""The clinicians' own work on care flows, with the roles checked here (the service layer), not
only by hidden buttons: clinicians and admins complete clinician activities; who may stop a
care flow is a workstation setting."""

from __future__ import annotations

from collections.abc import Callable

from careapp.auth.roles import PermissionDenied, Principal, Role
from careapp.domain.clock import Clock, utcnow
from careapp.storage.clinician_work import ClinicianWork, Completion
from careapp.storage.database import CacheDatabase

COMPLETING_ROLES = frozenset({Role.CLINICIAN, Role.ADMIN})


def parse_stop_roles(setting: str) -> frozenset[Role]:
    """The roles a setting such as "clinician,admin" or "admin" names (unknown names ignored)."""
    known = {r.value: r for r in Role}
    return frozenset(known[name.strip()] for name in setting.split(",") if name.strip() in known)


class CareTeamService:
    def __init__(self, db: CacheDatabase, stop_roles: Callable[[], str], clock: Clock = utcnow) -> None:
        self._work = ClinicianWork(db, clock)
        self._stop_roles = stop_roles

    def may_stop(self, principal: Principal) -> bool:
        return principal.role in parse_stop_roles(self._stop_roles())

    def complete(self, principal: Principal, activity_id: str, completion: Completion) -> None:
        if principal.role not in COMPLETING_ROLES:
            raise PermissionDenied("Only clinicians and admins complete care team activities.")
        self._work.complete(activity_id, completion, principal.actor)

    def stop(self, principal: Principal, care_flow_id: int, reason: str) -> None:
        if not self.may_stop(principal):
            raise PermissionDenied("On this workstation only admins may stop a care flow.")
        self._work.stop(care_flow_id, reason, principal.actor)

    def answers_viewed(self, principal: Principal, care_flow_id: int) -> None:
        self._work.answers_viewed(care_flow_id, principal.actor)
