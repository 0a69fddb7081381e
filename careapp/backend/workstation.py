"""This workstation and its backend: pair once with a code, then open clients with the stored
credential."""

from __future__ import annotations

from careapp.backend.client import BackendClient, Pairing
from careapp.backend.credentials import CredentialStore, StoredCredential
from careapp.backend.errors import NotPaired
from careapp.settings import BackendProfile


def pair_workstation(
    profile: BackendProfile,
    pairing_code: str,
    *,
    base_url: str | None = None,
    name: str | None = None,
    store: CredentialStore | None = None,
) -> tuple[Pairing, StoredCredential]:
    """Pair with the backend of PROFILE and keep the credential (keyring, else a 0600 file).

    BASE_URL overrides the profile's url (the embedded demo backend's loopback address).
    Raises careapp.backend.errors.Rejected/Unauthorized for a wrong or used code, Offline etc.
    """
    with BackendClient(base_url or profile.url) as client:
        pairing = client.pair(pairing_code, name=name, region=profile.region, environment=profile.environment)
    stored = (store or CredentialStore()).save(profile.key, pairing.credential)
    return pairing, stored


def stored_credential(
    profile: BackendProfile, store: CredentialStore | None = None
) -> StoredCredential | None:
    return (store or CredentialStore()).load(profile.key)


def open_client(
    profile: BackendProfile,
    *,
    base_url: str | None = None,
    store: CredentialStore | None = None,
    **options: object,
) -> BackendClient:
    """A client for PROFILE's backend with its stored credential; NotPaired when there is none."""
    stored = stored_credential(profile, store)
    if stored is None:
        raise NotPaired("This workstation is not paired with the backend yet. Enter a pairing code.")
    return BackendClient(base_url or profile.url, stored.secret, **options)  # type: ignore[arg-type]  # options are BackendClient's keyword options (timeouts), passed through


def forget_pairing(profile: BackendProfile, store: CredentialStore | None = None) -> None:
    (store or CredentialStore()).delete(profile.key)
