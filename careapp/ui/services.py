"""What the windows work with: the open cache and the services over it (no Qt here)."""

from __future__ import annotations

from dataclasses import dataclass, field

from careapp import settings as settings_store
from careapp.auth.accounts import AccountService
from careapp.auth.care_team import CareTeamService
from careapp.auth.roles import Principal, require_admin
from careapp.domain.clock import Clock, utcnow
from careapp.settings import HospitalEndpoints, Settings
from careapp.storage.care_flows import CareFlowRepository
from careapp.storage.database import CacheDatabase, open_active_cache
from careapp.storage.patients import PatientRepository
from careapp.storage.physicians import PhysicianRepository
from careapp.storage.timeline import TimelineRepository
from careapp.storage.work_list import WorkListRepository


@dataclass
class Services:
    settings: Settings
    db: CacheDatabase
    clock: Clock = utcnow
    # The embedded demo hospital's endpoints for this run, when no hospital is configured.
    hospital_override: HospitalEndpoints | None = None
    accounts: AccountService = field(init=False)
    patients: PatientRepository = field(init=False)
    care_flows: CareFlowRepository = field(init=False)
    physicians: PhysicianRepository = field(init=False)
    care_team: CareTeamService = field(init=False)
    work_list: WorkListRepository = field(init=False)
    timelines: TimelineRepository = field(init=False)

    def __post_init__(self) -> None:
        self.accounts = AccountService(self.db, self.clock)
        self.patients = PatientRepository(self.db, self.clock)
        self.care_flows = CareFlowRepository(self.db, self.clock)
        self.physicians = PhysicianRepository(self.db)
        self.care_team = CareTeamService(self.db, lambda: self.settings.stop_care_flow_roles, self.clock)
        self.work_list = WorkListRepository(self.db)
        self.timelines = TimelineRepository(self.db)

    @classmethod
    def open(cls, settings: Settings, clock: Clock = utcnow) -> Services:
        """Open the active backend's cache (may migrate: call off the GUI thread)."""
        return cls(settings, open_active_cache(settings), clock)

    @property
    def hospital_settings(self) -> Settings:
        """The settings hospital imports use: the stored ones, or the demo hospital's for this run."""
        if self.hospital_override is None:
            return self.settings
        return self.settings.with_changes(hospital=self.hospital_override)

    def save_settings(self, principal: Principal, new: Settings) -> None:
        """Workstation settings are an admin's to change; the role is checked here, not in the UI."""
        require_admin(principal)
        settings_store.save(new)
        self.accounts.record(principal, "settings.changed")
        if new.hospital != HospitalEndpoints():
            self.hospital_override = None  # a configured hospital wins over the demo's
        self.settings = new

    def close(self) -> None:
        self.db.close()
