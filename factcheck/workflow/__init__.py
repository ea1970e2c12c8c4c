"""The single write path of the desk.

Every domain write is a function here: one transaction that checks permission and
state (``rules``), changes the rows, and writes exactly one audit event. Views,
forms, templates and commands call these functions and never save domain rows.
The package is split by topic only to keep each module small; import from
``factcheck.workflow``.
"""

from .articles import (
    add_claim,
    create_article,
    edit_claim,
    merge_claims,
    split_claim,
)
from .claimants import set_claimant
from .claims import (
    assign_claim,
    dismiss_claim,
    release_claim,
    reopen_claim,
    restore_claim,
    take_claim,
    take_next_claim,
)
from .imports import import_fact_checks
from .matches import answer_match
from .organisation import update_public_page, update_publisher
from .publication import (
    handle_error_report,
    publish_article,
    report_error,
    unpublish_article,
)
from .revisions import confirm_claim_text, ingest_article, revise_article
from .rules import (
    ACTIONS,
    Conflict,
    InvalidTransition,
    Refusal,
    available_actions,
    can,
    check,
    current_verdict,
    ensure,
)
from .scale import create_rating, update_rating
from .tokens import create_api_token, revoke_api_token
from .two_factor import (
    disable_two_factor,
    enable_two_factor,
    regenerate_recovery_codes,
    set_two_factor_policy,
    use_recovery_code,
)
from .verdicts import (
    approve_verdict,
    return_verdict,
    save_verdict_draft,
    submit_verdict,
)
from .webhooks import (
    create_webhook,
    disable_webhook,
    redeliver_webhook,
    update_webhook,
)
from .work import (
    BULK_OPERATIONS,
    BulkResult,
    add_note,
    add_source,
    bulk_apply,
    remove_source,
    set_article_due,
    set_claim_due,
)

__all__ = [
    "create_api_token",
    "revoke_api_token",
    "create_webhook",
    "disable_webhook",
    "redeliver_webhook",
    "update_webhook",
    "disable_two_factor",
    "enable_two_factor",
    "regenerate_recovery_codes",
    "set_two_factor_policy",
    "use_recovery_code",
    "create_rating",
    "update_rating",
    "update_public_page",
    "update_publisher",
    "handle_error_report",
    "publish_article",
    "report_error",
    "unpublish_article",
    "add_claim",
    "confirm_claim_text",
    "revise_article",
    "ingest_article",
    "set_claimant",
    "create_article",
    "edit_claim",
    "merge_claims",
    "split_claim",
    "BULK_OPERATIONS",
    "BulkResult",
    "add_note",
    "add_source",
    "answer_match",
    "import_fact_checks",
    "bulk_apply",
    "remove_source",
    "set_article_due",
    "set_claim_due",
    "ACTIONS",
    "Conflict",
    "InvalidTransition",
    "Refusal",
    "approve_verdict",
    "assign_claim",
    "available_actions",
    "can",
    "check",
    "current_verdict",
    "dismiss_claim",
    "ensure",
    "release_claim",
    "reopen_claim",
    "restore_claim",
    "return_verdict",
    "save_verdict_draft",
    "submit_verdict",
    "take_claim",
    "take_next_claim",
]
