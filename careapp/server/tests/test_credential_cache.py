"""The per-worker credential cache: revocation still takes effect at once in the worker that
revoked, within the cache's ttl everywhere else, and a lookup racing a revocation is not kept."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from careapp.server.context import CredentialKind, Principal, Services
from careapp.server.credential_cache import DEFAULT_TTL, CredentialCache
from careapp.server.crypto import credential_hash
from careapp.server.models import ApiKey
from careapp.server.tests.harness import cli, make_api_key


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.at = 1000.0

    def __call__(self) -> float:
        return self.at


def _digest(services: Services, token: str) -> str:
    return credential_hash(token, services.config.region, services.config.environment)


def _pair(client: TestClient) -> tuple[str, dict[str, str]]:
    created = client.post("/v1/workstations", json={"name": "Ward 3 desk"})
    assert created.status_code == 201, created.text
    paired = client.post("/v1/workstations/pair", json={"pairing_code": created.json()["pairing_code"]})
    assert paired.status_code == 201, paired.text
    return paired.json()["workstation_id"], {"Authorization": f"Bearer {paired.json()['credential']}"}


def test_a_cached_workstation_revoked_through_the_api_is_refused_on_its_next_request(
    client: TestClient, services: Services
) -> None:
    ws_id, auth = _pair(client)
    for _ in range(2):
        assert client.get("/v1/identifier-systems", headers=auth).status_code == 200
    token = auth["Authorization"].removeprefix("Bearer ")
    assert services.credentials.get(_digest(services, token)) is not None  # served from the cache

    client.post(f"/v1/workstations/{ws_id}/revoke").raise_for_status()

    refused = client.get("/v1/identifier-systems", headers=auth)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")


def test_the_acting_user_is_read_on_every_request_even_with_a_cached_credential(
    client: TestClient,
) -> None:
    _ws_id, auth = _pair(client)
    user = client.post("/v1/users", json={"username": "nurse.an", "display_name": "An", "role": "clinician"})
    assert user.status_code == 201, user.text
    acting = {**auth, "X-Acting-User": "nurse.an"}
    assert client.get("/v1/patients", headers=acting).status_code == 200
    assert client.get("/v1/patients", headers=acting).status_code == 200

    client.post(f"/v1/users/{user.json()['id']}/deactivate").raise_for_status()

    assert client.get("/v1/patients", headers=acting).status_code == 403


def test_an_api_key_revoked_by_another_process_stops_working_within_the_ttl(
    client: TestClient, services: Services
) -> None:
    ticks = Ticks()
    services.credentials = CredentialCache(clock=ticks)
    key = make_api_key(services.config.db_url, "integrator")
    auth = {"Authorization": f"Bearer {key}"}
    assert client.get("/v1/patients", headers=auth).status_code == 200  # now cached
    with services.db.transaction(read_only=True) as session:
        key_id = session.scalar(select(ApiKey.id).where(ApiKey.token_hash == _digest(services, key)))
    assert key_id

    cli("api-key", "revoke", key_id, "--db", services.config.db_url)  # the CLI: its own process and cache

    ticks.at += DEFAULT_TTL / 2
    assert client.get("/v1/patients", headers=auth).status_code == 200  # at most the ttl late …
    ticks.at += DEFAULT_TTL / 2
    assert client.get("/v1/patients", headers=auth).status_code == 401  # … and no later
    ticks.at += 60
    assert client.get("/v1/patients", headers=auth).status_code == 401  # a refusal is never cached


def test_a_lookup_that_began_before_a_revocation_is_not_kept() -> None:
    cache: CredentialCache[Principal] = CredentialCache()
    principal = Principal(CredentialKind.API_KEY, "k1", "integrator")
    generation = cache.generation  # a request starts its lookup …
    cache.forget_all()  # … a revocation commits meanwhile …
    cache.put("digest", principal, generation)  # … and the row it read is from before
    assert cache.get("digest") is None
    cache.put("digest", principal, cache.generation)
    assert cache.get("digest") is principal


def test_entries_expire_after_the_ttl_and_the_cache_stays_bounded() -> None:
    ticks = Ticks()
    cache: CredentialCache[str] = CredentialCache(ttl=1.0, clock=ticks, max_entries=3)
    cache.put("a", "A", cache.generation)
    ticks.at += 0.999
    assert cache.get("a") == "A"
    ticks.at += 0.001
    assert cache.get("a") is None
    for name in "bcde":
        cache.put(name, name.upper(), cache.generation)
    assert len(cache._entries) <= 3
    assert cache.get("e") == "E"
    off: CredentialCache[str] = CredentialCache(ttl=0)
    off.put("a", "A", off.generation)
    assert off.get("a") is None
