"""Workflow actions on a dossier: each one service, atomic, writing its timeline entry.

Every action locks the dossier row (``select_for_update``) and its open step,
refuses a client that saw an older revision of the dossier
(``expected_revision``: ``Conflict``, 409), asks ``motcua.workflow.rules``
whether the dossier's state allows the action (``Conflict``, 409) and whether
the actor holds a role that may do it there (``Forbidden``, 403), then
changes the state through ``_base.transition``: the one place where a
dossier's state, national status, revision and timeline change together.

``intake``: accept, refuse, supplements, counter intake, withdrawal.
``applicant``: the applicant's own actions online (answer a supplement request, ask to
withdraw).
``processing``: assignment, forwarding and inter-agency transfer, rework,
result, extension, stop, return of the result.
``results``: revoke or replace an issued electronic result.
"""

from motcua.workflow.rules import (
    NOT_ALLOWED_ROLE,
    NOT_IN_PROCESS,
    NOT_WAITING_FOR_INTAKE,
    NOT_WAITING_FOR_SUPPLEMENT,
    NOT_WAITING_FOR_WITHDRAWAL,
    NOT_WITHDRAWABLE,
    NOT_YOUR_STEP,
    RESULT_BEFORE_PROCESSED,
    SUPPLEMENT_NOT_ALLOWED,
    SUPPLEMENT_ONCE_AT_INTAKE,
    SUPPLEMENT_ONCE_PER_AGENCY,
)

from ._base import ASSIGNEE_NOT_ELIGIBLE, REASON_REQUIRED, STALE
from .applicant import (
    ANSWER_EMPTY,
    NOT_IN_REQUEST,
    applicant_withdrawal_request,
    supplement_answer_online,
)
from .intake import (
    INCOMPLETE_FOR_ACCEPT,
    MISSING_ITEMS_REQUIRED,
    CounterDecision,
    Missing,
    dossier_accept,
    dossier_counter_intake,
    dossier_receive_supplement,
    dossier_refuse,
    dossier_request_supplement,
    dossier_withdrawal_decide,
    dossier_withdrawal_request,
)
from .payment import (
    FEES_UNCOUNTED,
    NOTHING_TO_PAY,
    dossier_fees_paid_online,
    dossier_request_payment,
)
from .processing import (
    CASE_DUE_PAST,
    CASE_UNCHANGED,
    CHOOSE_NEXT_STEP,
    ELECTRONIC_RESULT_NOT_PDF,
    EXTENSION_NOT_LATER,
    EXTENSION_ONCE,
    EXTENSION_TOO_LATE,
    RECIPIENT_REQUIRED,
    RESULT_FILE_REQUIRED,
    RESULT_NAME_REQUIRED,
    RESULT_REQUIRED,
    BulkOutcome,
    dossier_assign,
    dossier_case_choose,
    dossier_claim,
    dossier_extend,
    dossier_forward,
    dossier_mark_processed,
    dossier_result_delivered,
    dossier_result_record,
    dossier_return_result,
    dossier_send_back,
    dossier_stop,
    dossiers_assign,
)
from .results import NO_SUCH_RESULT, dossier_result_replace, dossier_result_revoke

__all__ = [
    "ANSWER_EMPTY",
    "ASSIGNEE_NOT_ELIGIBLE",
    "CASE_DUE_PAST",
    "CASE_UNCHANGED",
    "CHOOSE_NEXT_STEP",
    "ELECTRONIC_RESULT_NOT_PDF",
    "EXTENSION_NOT_LATER",
    "EXTENSION_ONCE",
    "EXTENSION_TOO_LATE",
    "FEES_UNCOUNTED",
    "INCOMPLETE_FOR_ACCEPT",
    "MISSING_ITEMS_REQUIRED",
    "NOTHING_TO_PAY",
    "NOT_ALLOWED_ROLE",
    "NOT_IN_PROCESS",
    "NOT_IN_REQUEST",
    "NOT_WAITING_FOR_INTAKE",
    "NOT_WAITING_FOR_SUPPLEMENT",
    "NOT_WAITING_FOR_WITHDRAWAL",
    "NOT_WITHDRAWABLE",
    "NOT_YOUR_STEP",
    "NO_SUCH_RESULT",
    "REASON_REQUIRED",
    "RECIPIENT_REQUIRED",
    "RESULT_BEFORE_PROCESSED",
    "RESULT_FILE_REQUIRED",
    "RESULT_NAME_REQUIRED",
    "RESULT_REQUIRED",
    "STALE",
    "SUPPLEMENT_NOT_ALLOWED",
    "SUPPLEMENT_ONCE_AT_INTAKE",
    "SUPPLEMENT_ONCE_PER_AGENCY",
    "BulkOutcome",
    "CounterDecision",
    "Missing",
    "applicant_withdrawal_request",
    "dossier_accept",
    "dossier_assign",
    "dossier_case_choose",
    "dossier_claim",
    "dossier_counter_intake",
    "dossier_extend",
    "dossier_fees_paid_online",
    "dossier_forward",
    "dossier_mark_processed",
    "dossier_receive_supplement",
    "dossier_refuse",
    "dossier_request_payment",
    "dossier_request_supplement",
    "dossier_result_delivered",
    "dossier_result_record",
    "dossier_result_replace",
    "dossier_result_revoke",
    "dossier_return_result",
    "dossier_send_back",
    "dossier_stop",
    "dossier_withdrawal_decide",
    "dossier_withdrawal_request",
    "dossiers_assign",
    "supplement_answer_online",
]
