"""SQLAlchemy models of the regional backend; importing this registers every table."""

from careapp.server.models.api_calls import ApiCallRunRow
from careapp.server.models.base import Base
from careapp.server.models.careflows import (
    ActivityRow,
    CareFlowAlertRow,
    CareFlowRow,
    CareFlowTimerRow,
    ConstantRow,
    DataPointValueRow,
    DefinitionRow,
    DefinitionVersionRow,
    FormResponseRow,
    StepRunRow,
)
from careapp.server.models.credentials import ApiKey, Workstation
from careapp.server.models.deployment import Deployment
from careapp.server.models.directory import IdentifierSystemRow, PhysicianRow, User
from careapp.server.models.hospital_link import AdtReceiptRow, HospitalConnectionRow, ResultMessageRow
from careapp.server.models.hosted import EnrollmentLinkRow, HostedPagesLinkRow, HostedPagesSessionRow
from careapp.server.models.notifications import NotificationChannelRow, NotificationOptOutRow, NotificationRow
from careapp.server.models.patients import PatientIdentifierRow, PatientRow
from careapp.server.models.platform import AuditEvent, ChangeRow, FeedState, IdempotencyKeyRow
from careapp.server.models.promotion import PromotionRow
from careapp.server.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "ActivityRow",
    "AdtReceiptRow",
    "ApiCallRunRow",
    "ApiKey",
    "AuditEvent",
    "Base",
    "CareFlowAlertRow",
    "CareFlowRow",
    "CareFlowTimerRow",
    "ChangeRow",
    "ConstantRow",
    "DataPointValueRow",
    "DefinitionRow",
    "DefinitionVersionRow",
    "Deployment",
    "EnrollmentLinkRow",
    "FeedState",
    "FormResponseRow",
    "HospitalConnectionRow",
    "HostedPagesLinkRow",
    "HostedPagesSessionRow",
    "IdempotencyKeyRow",
    "IdentifierSystemRow",
    "NotificationChannelRow",
    "NotificationOptOutRow",
    "NotificationRow",
    "PatientIdentifierRow",
    "PatientRow",
    "PhysicianRow",
    "PromotionRow",
    "ResultMessageRow",
    "StepRunRow",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
    "Workstation",
]
