"""HTTP client for the regional backend: typed errors, pairing, the workstation credential.

    from careapp.backend import open_client, pair_workstation
    pairing, stored = pair_workstation(profile, "ABCD-EFGH", base_url=url)   # once
    stored.in_file        # True: show "credential stored in a file" (no OS keyring)
    client = open_client(profile, base_url=url)                            # NotPaired if never paired

Every call blocks (network): run it off the GUI thread.
"""

from careapp.backend.client import DEFAULT_TIMEOUT, BackendClient, Pairing, RetryPolicy
from careapp.backend.credentials import CredentialStore, StoredCredential, keyring_usable
from careapp.backend.errors import (
    BackendError,
    BackendTimeout,
    Gone,
    NotPaired,
    Offline,
    Rejected,
    ServerError,
    Unauthorized,
    Unreachable,
)
from careapp.backend.workstation import forget_pairing, open_client, pair_workstation, stored_credential

__all__ = [
    "DEFAULT_TIMEOUT",
    "BackendClient",
    "BackendError",
    "BackendTimeout",
    "CredentialStore",
    "Gone",
    "NotPaired",
    "Offline",
    "Pairing",
    "Rejected",
    "RetryPolicy",
    "ServerError",
    "StoredCredential",
    "Unauthorized",
    "Unreachable",
    "forget_pairing",
    "keyring_usable",
    "open_client",
    "pair_workstation",
    "stored_credential",
]
