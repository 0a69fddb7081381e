"""A ward for sync tests: a live careapp-server, a local cache with an admin and a nurse, a
paired workstation (credential in an in-memory keyring) and its SyncEngine."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from careapp.auth.accounts import AccountService
from careapp.auth.roles import Principal, Role
from careapp.backend import BackendClient, RetryPolicy, open_client, pair_workstation
from careapp.backend.tests.live import LiveServer
from careapp.backend.tests.memory_keyring import MemoryKeyring
from careapp.domain.identifiers import DEMO_HOSPITAL_PATIENT_ID, Identifier
from careapp.domain.patient import Patient
from careapp.settings import BackendProfile
from careapp.storage.care_flows import CareFlowRepository, CareFlowSummary
from careapp.storage.database import CacheDatabase, open_cache
from careapp.storage.patients import PatientRepository
from careapp.sync import SyncEngine

FLOW = "chronic-care-check-in"
BASELINE = {"dry_weight_kg": 70}


@dataclass
class Ward:
    server: LiveServer
    db: CacheDatabase
    profile: BackendProfile
    admin: Principal
    accounts: AccountService
    engine: SyncEngine

    def client(self) -> BackendClient:
        # No backoff sleeps in tests: a failed call fails the pass at once.
        return open_client(self.profile, retry=RetryPolicy(attempts=2, backoff=0), sleep=lambda _s: None)

    def enroll(
        self, hospital_id: str, *, definition: str = FLOW, email: str | None = None
    ) -> CareFlowSummary:
        """Import a patient (as the nurse) and queue a care flow start for them."""
        patient = Patient(
            "Peeters", "Lotte", (Identifier(DEMO_HOSPITAL_PATIENT_ID, hospital_id),), email=email
        )
        saved = PatientRepository(self.db).save_imported(
            patient, physician=None, actor="user:nurse", source="hl7"
        )
        assert saved.patient.id is not None
        return CareFlowRepository(self.db).queue_start(
            saved.patient.id, definition, physician=None, baseline=dict(BASELINE), actor="user:nurse"
        )


@pytest.fixture
def ward(tmp_path: Path, memory_keyring: MemoryKeyring) -> Iterator[Ward]:
    server = LiveServer(tmp_path / "server").start()
    db = open_cache(tmp_path / "cache.sqlite3")
    try:
        profile = BackendProfile(url=server.url)
        pair_workstation(profile, server.pairing_code())
        accounts = AccountService(db)
        admin = accounts.create_first_admin("admin", "Ward Admin", "correct horse battery 1")
        accounts.create_user(admin, "nurse", "Nurse Anna", Role.CLINICIAN, "correct horse battery 2")
        ward = Ward(server, db, profile, admin, accounts, None)
        ward.engine = SyncEngine(db, ward.client, acting_user=lambda: "nurse")
        yield ward
    finally:
        db.close()
        server.stop()
    assert "Traceback" not in server.log()
