"""The domain models, one module per topic; import them from ``factcheck.models``."""

from .articles import Article, ArticleQuerySet, ArticleRevision, ArticleState
from .audit import AuditEvent
from .claims import (
    NEEDS_WORK,
    Claim,
    ClaimKind,
    ClaimPresence,
    ClaimQuerySet,
    ClaimState,
)
from .evidence import ExcerptStatus, SourceSnapshot
from .matching import ClaimMatch, ImportedFactCheck, MatchAnswer
from .organisation import (
    Claimant,
    ClaimantKind,
    PublicPage,
    PublicPageKind,
    Publisher,
)
from .publishing import ErrorReport, ErrorReportState, Publication
from .review import Approval, Note, Rating, Source, Verdict, VerdictState
from .security import TwoFactorPolicy
from .tokens import ApiToken
from .users import User
from .webhooks import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent

__all__ = [
    "NEEDS_WORK",
    "ApiToken",
    "Approval",
    "Article",
    "ArticleQuerySet",
    "ArticleRevision",
    "ArticleState",
    "AuditEvent",
    "Claim",
    "ClaimKind",
    "ClaimMatch",
    "ClaimPresence",
    "ClaimQuerySet",
    "ClaimState",
    "Claimant",
    "ClaimantKind",
    "ErrorReport",
    "ErrorReportState",
    "ExcerptStatus",
    "ImportedFactCheck",
    "MatchAnswer",
    "Note",
    "Publication",
    "PublicPage",
    "PublicPageKind",
    "Publisher",
    "Rating",
    "Source",
    "SourceSnapshot",
    "TwoFactorPolicy",
    "User",
    "Verdict",
    "VerdictState",
    "DeliveryStatus",
    "Webhook",
    "WebhookDelivery",
    "WebhookEvent",
]
