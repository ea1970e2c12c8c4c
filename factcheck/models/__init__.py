"""The domain models, one module per topic; import them from ``factcheck.models``."""

from .articles import Article, ArticleQuerySet, ArticleState
from .audit import AuditEvent
from .claims import (
    NEEDS_WORK,
    Claim,
    ClaimKind,
    ClaimPresence,
    ClaimQuerySet,
    ClaimState,
)
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

__all__ = [
    "NEEDS_WORK",
    "ApiToken",
    "Approval",
    "Article",
    "ArticleQuerySet",
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
    "ImportedFactCheck",
    "MatchAnswer",
    "Note",
    "Publication",
    "PublicPage",
    "PublicPageKind",
    "Publisher",
    "Rating",
    "Source",
    "TwoFactorPolicy",
    "User",
    "Verdict",
    "VerdictState",
]
