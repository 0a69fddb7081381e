"""Static hosted pages links: one live link per care flow, issued when the care flow starts.

A link never expires; it can be revoked, and a new one issued in its place. The row keeps the
token sealed with the data key so the API can show the link again; the lookup column lets an
opened link be found without storing anything that would open it.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from careapp.server.context import Services, Tx
from careapp.server.models import CareFlowRow, HostedPagesLinkRow
from careapp.server.models.base import Base
from careapp.server.tokens import Purpose

LINK_PATH = "/l/"
_ISSUED = "hosted_pages_links_issued"  # session.info: care flow id → the link issued in this transaction


def _seal_purpose(care_flow_id: str) -> str:
    return f"hosted-pages-link:{care_flow_id}"


def url_for(services: Services, path: str, token: str) -> str:
    return services.config.public_url.rstrip("/") + path + token


class RowHolder(Protocol):
    def add(self, row: Base) -> None: ...


def issue(tx: Tx, flow: CareFlowRow, *, hold: RowHolder | None = None) -> tuple[HostedPagesLinkRow, str]:
    """A new live link for FLOW (the caller has revoked any previous one); returns (row, url).
    HOLD takes the row instead of the session (a start writes its rows itself: engine.new_rows)."""
    minted = tx.services.keyring.mint(Purpose.LINK)
    row = HostedPagesLinkRow(
        care_flow_id=flow.id,
        patient_id=flow.patient_id,
        lookup=minted.lookup,
        sealed_token=tx.services.sealer.seal(minted.token.encode(), _seal_purpose(flow.id)),
        key_version=minted.version,
        created_at=tx.now,
        created_by=tx.principal.actor,
    )
    (hold or tx.session).add(row)
    tx.audit(
        "hosted_pages_link.issued", patient_id=flow.patient_id, resource_type="care_flow", resource_id=flow.id
    )
    url = url_for(tx.services, LINK_PATH, minted.token)
    # Known without a query (which would flush the batch's pending rows one start at a time).
    tx.session.info.setdefault(_ISSUED, {})[flow.id] = url
    return row, url


def live(tx: Tx, care_flow_id: str) -> HostedPagesLinkRow | None:
    return tx.session.scalar(
        select(HostedPagesLinkRow).where(
            HostedPagesLinkRow.care_flow_id == care_flow_id, HostedPagesLinkRow.revoked_at.is_(None)
        )
    )


def current_urls(tx: Tx, care_flow_ids: set[str]) -> dict[str, str]:
    """The live link of each of CARE_FLOW_IDS that has one, read in one query (change feed pages)."""
    rows = tx.session.scalars(
        select(HostedPagesLinkRow).where(
            HostedPagesLinkRow.care_flow_id.in_(care_flow_ids), HostedPagesLinkRow.revoked_at.is_(None)
        )
    )
    return {row.care_flow_id: url_of(tx.services, row) for row in rows}


def url_of(services: Services, row: HostedPagesLinkRow) -> str:
    token = services.sealer.open(row.sealed_token, _seal_purpose(row.care_flow_id)).decode()
    return url_for(services, LINK_PATH, token)


def current_url(tx: Tx, care_flow_id: str) -> str | None:
    issued = tx.session.info.get(_ISSUED, {}).get(care_flow_id)
    if issued is not None:
        return issued
    row = live(tx, care_flow_id)
    return url_of(tx.services, row) if row else None


def revoke(tx: Tx, flow: CareFlowRow) -> HostedPagesLinkRow | None:
    """Revoke FLOW's live link (if any); a session opened through it ends at its next request."""
    tx.session.info.get(_ISSUED, {}).pop(flow.id, None)
    row = live(tx, flow.id)
    if row is not None:
        row.revoked_at = tx.now
        row.revoked_by = tx.principal.actor
        tx.session.flush()  # the live-link unique index must see it gone before a re-issue
        tx.audit(
            "hosted_pages_link.revoked",
            patient_id=flow.patient_id,
            resource_type="care_flow",
            resource_id=flow.id,
        )
        # Workstations keep the link for offline use: the feed tells them it changed.
        tx.change("care_flow", flow.id, "link_revoked", flow.patient_id)
    return row


def reissue(tx: Tx, flow: CareFlowRow) -> tuple[HostedPagesLinkRow, str]:
    revoke(tx, flow)
    return issue(tx, flow)


def lookup_of_url(services: Services, url: str) -> str | None:
    """The lookup of a genuine static link URL: what may be stored instead of the URL itself."""
    _base, sep, token = url.rpartition(LINK_PATH)
    return services.keyring.verify(Purpose.LINK, token) if sep else None


def url_by_lookup(services: Services, session: Session, lookup: str) -> str | None:
    row = session.scalar(select(HostedPagesLinkRow).where(HostedPagesLinkRow.lookup == lookup))
    return url_of(services, row) if row else None


def resolve(services: Services, tx: Tx, token: str) -> HostedPagesLinkRow | None:
    """The link row a token opens (revoked ones too, so the page can say so), else None."""
    lookup = services.keyring.verify(Purpose.LINK, token)
    if lookup is None:
        return None
    return tx.session.scalar(select(HostedPagesLinkRow).where(HostedPagesLinkRow.lookup == lookup))
