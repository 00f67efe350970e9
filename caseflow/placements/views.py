"""Pages of the outcomes domain: recording placements, exits, re-entries, certificates and
follow-ups for one participant; the organisation's placement list; an employer's placements.

Each view loads through the access loaders, validates its form, calls one service, and redirects
to the case file (or renders the form again with the errors next to the fields).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from caseflow.accounts.auth import casework_required
from caseflow.accounts.queries import counsellor_choices
from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.measures.access import get_employer_for
from caseflow.measures.queries import employer_choices
from caseflow.participants.access import get_participant_with
from caseflow.participants.forms import int_or_none
from caseflow.participants.summary import summary_columns
from caseflow.participants.views import case_file_section_url, case_header_context
from caseflow.placements import contracts, services
from caseflow.placements.access import get_placement_with
from caseflow.placements.forms import (
    CertificateForm,
    EndPlacementForm,
    FollowUpForm,
    PlacementFilterForm,
    PlacementForm,
    ReEntryForm,
    exit_form_class,
)
from caseflow.placements.queries import (
    PlacementFilters,
    enrolment_choices,
    measure_choices,
    organisation_placements,
)
from caseflow.placements.vocabulary import FOLLOW_UP_KINDS
from caseflow.security import allow_body
from caseflow.translation import gettext as _
from caseflow.vocabulary import PLACEMENT_TYPES
from caseflow.web import apply_error, page_args

bp = Blueprint("placements", __name__)


def _load_participant(participant_id: int):
    """(the participant for this request, the case header's summary values): one statement, as the
    case file's own forms load it. A POST refuses anonymised cases; the service locks the row."""
    return get_participant_with(current_user, participant_id, summary_columns(),
                                allow_anonymised=request.method != "POST")


def _load_placement(placement_id: int):
    """(placement, participant, the case header's summary values), as _load_participant."""
    return get_placement_with(current_user, placement_id, summary_columns(), writing=request.method == "POST")


def _version(form) -> int | None:
    """The version the page was rendered with; None when it is not a number (a version error)."""
    value = form.version.data
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() else None


def _outcomes_url(participant) -> str:
    """The case file's section that shows placements, exits, re-entries, qualifications and
    follow-ups: where every page of this domain leads back to."""
    return case_file_section_url(participant.id, "placements")


def _form_page(template: str, participant, summary_row, form, **context):
    """The form page under the case's summary header (as the case file's own forms: the header's
    values came with the participant's row); after a POST that got here (invalid or refused) with
    status 422."""
    status = getattr(form, "error_status", 422) if request.method == "POST" else 200
    return render_template(f"placements/{template}", participant=participant, form=form,
                           back_url=_outcomes_url(participant), **context,
                           **case_header_context(participant, summary_row)), status


def _saved(form, call: Callable[[], object], done: str, show_error=apply_error) -> bool:
    """Runs the service call: True (with `done` flashed) when it succeeded; False when it raised a
    DomainError, which `show_error` has put on the form."""
    try:
        call()
    except DomainError as exc:
        show_error(form, exc)
        form.error_status = exc.status if exc.status >= 400 else 422
        return False
    flash(done, "success")
    return True


def _placement_error(form, exc: DomainError) -> None:
    """A stale version (409) is said at the top of the form; other errors (a duplicate contract's
    409 among them) go next to their fields."""
    if exc.code == "stale_version":
        form.form_errors.append(_("Someone else saved this placement first. Reload the page to see "
                                  "their changes; nothing of yours was saved."))
    else:
        apply_error(form, exc)


def _exit_error(form, exc: DomainError) -> None:
    # the closing choices are one field per enrolment: their messages go at the top
    form.form_errors.extend(exc.fields.get("close_enrolments_as", []))
    apply_error(form, exc)


# --- placements ------------------------------------------------------------------------------------

# The placement form may carry the employment contract (contracts.py): its body may be as large as
# one document, a limit the request guard applies before anything (the CSRF check too) reads it.
allows_contract = allow_body(contracts.request_limit, too_large=contracts.too_large)


def _placement_form_page(participant, summary_row, form, placement):
    store = contracts.store()
    return _form_page("placement_form.html", participant, summary_row, form, placement=placement,
                      contract_hint=store.hint() if store else None,
                      # a browser does not keep a chosen file when the form comes back with errors
                      contract_again=request.method == "POST" and form.contract_upload() is not None)


@bp.route("/participants/<int:participant_id>/placements/new", methods=["GET", "POST"])
@allows_contract
@casework_required
def new_placement(participant_id: int):
    participant, summary_row = _load_participant(participant_id)
    form = PlacementForm().setup(employer_choices(participant.organisation_id), enrolment_choices(participant.id))
    if form.validate_on_submit() and _saved(
            form, lambda: services.record_placement(participant, form.service_data(), actor=current_user,
                                                    contract=form.contract_upload()),
            _("Placement recorded.")):
        return redirect(_outcomes_url(participant))
    return _placement_form_page(participant, summary_row, form, None)


@bp.route("/placements/<int:placement_id>/edit", methods=["GET", "POST"])
@allows_contract
@casework_required
def edit_placement(placement_id: int):
    placement, participant, summary_row = _load_placement(placement_id)
    form = PlacementForm().setup(employer_choices(participant.organisation_id), enrolment_choices(participant.id))
    if request.method == "GET":
        form.fill_from(placement)
    elif form.validate_on_submit() and _saved(
            form, lambda: services.update_placement(placement, participant, form.service_data(),
                                                    version=_version(form), actor=current_user,
                                                    contract=form.contract_upload()),
            _("Placement saved."), _placement_error):
        return redirect(_outcomes_url(participant))
    return _placement_form_page(participant, summary_row, form, placement)


@bp.route("/placements/<int:placement_id>/end", methods=["GET", "POST"])
@casework_required
def end_placement(placement_id: int):
    placement, participant, summary_row = _load_placement(placement_id)
    form = EndPlacementForm()
    if request.method == "GET":
        form.end_date.data = placement.end_date
        form.version.data = placement.version
    elif form.validate_on_submit() and _saved(
            form, lambda: services.end_placement(placement, participant, end_date=form.end_date.data,
                                                 status_after=form.status_after_end.data,
                                                 version=_version(form), actor=current_user),
            _("Placement ended."), _placement_error):
        return redirect(_outcomes_url(participant))
    return _form_page("end_form.html", participant, summary_row, form, placement=placement, placement_types=PLACEMENT_TYPES)


# --- exit and re-entry -----------------------------------------------------------------------------

@bp.route("/participants/<int:participant_id>/exit", methods=["GET", "POST"])
@casework_required
def exit_participant(participant_id: int):
    participant, summary_row = _load_participant(participant_id)
    if participant.status == "exited":
        flash(_("This participant has exited already. Record a re-entry first."), "error")
        return redirect(_outcomes_url(participant))
    enrolments = services.open_enrolments(participant)
    form = exit_form_class(enrolments, date.today())()
    if form.validate_on_submit() and _saved(
            form, lambda: services.exit_participant(participant, exit_date=form.exit_date.data,
                                                    reason=form.reason.data,
                                                    close_enrolments_as=form.closing_plan(), actor=current_user),
            _("Exit recorded. The 4-week check and the six-month follow-up are on the task list."), _exit_error):
        return redirect(_outcomes_url(participant))
    return _form_page("exit_form.html", participant, summary_row, form, enrolments=enrolments)


@bp.route("/participants/<int:participant_id>/re-entry", methods=["GET", "POST"])
@casework_required
def re_entry(participant_id: int):
    participant, summary_row = _load_participant(participant_id)
    if participant.status != "exited":
        flash(_("Only an exited participant can re-enter."), "error")
        return redirect(_outcomes_url(participant))
    form = ReEntryForm()
    if form.validate_on_submit() and _saved(
            form, lambda: services.re_enter_participant(participant, re_entry_date=form.date.data,
                                                        actor=current_user),
            _("Re-entry recorded. The case is open again.")):
        return redirect(_outcomes_url(participant))
    return _form_page("re_entry_form.html", participant, summary_row, form)


# --- certificates and follow-ups -------------------------------------------------------------------

@bp.route("/participants/<int:participant_id>/certificates/new", methods=["GET", "POST"])
@casework_required
def new_certificate(participant_id: int):
    participant, summary_row = _load_participant(participant_id)
    form = CertificateForm().setup(enrolment_choices(participant.id))
    if form.validate_on_submit() and _saved(
            form, lambda: services.record_certificate(participant, form.service_data(), actor=current_user),
            _("Qualification recorded.")):
        return redirect(_outcomes_url(participant))
    return _form_page("certificate_form.html", participant, summary_row, form)


@bp.route("/participants/<int:participant_id>/follow-ups/new", methods=["GET", "POST"])
@casework_required
def new_follow_up(participant_id: int):
    participant, summary_row = _load_participant(participant_id)
    if participant.status != "exited":
        flash(_("A follow-up is recorded after the exit."), "error")
        return redirect(_outcomes_url(participant))
    with_improvement = services.improvement_applies(participant)
    form = FollowUpForm()
    if request.method == "GET":
        form.kind.data = _follow_up_kind_asked(participant)
    if form.validate_on_submit() and _saved(
            form, lambda: services.record_follow_up(participant, form.service_data(with_improvement),
                                                    actor=current_user),
            _("Follow-up recorded.")):
        return redirect(_outcomes_url(participant))
    return _form_page("follow_up_form.html", participant, summary_row, form, with_improvement=with_improvement)


def _follow_up_kind_asked(participant) -> str:
    """The kind the follow-up form opens with: that of the task it was opened from (`?task=ID`, a
    four-week check or six-month follow-up task of this participant), or `?kind=`; otherwise
    nothing, so that the counsellor chooses."""
    task_id = int_or_none(request.args.get("task"))
    if task_id is not None:
        return services.follow_up_kind_of_task(participant, task_id) or ""
    kind = request.args.get("kind")
    return kind if kind in FOLLOW_UP_KINDS else ""


# --- lists -----------------------------------------------------------------------------------------

@bp.route("/placements")
@casework_required
def placement_list():
    org_id = current_user.organisation_id
    form = PlacementFilterForm(formdata=request.args)
    form.setup(measure_choices(org_id), counsellor_choices(org_id, active_only=False), employer_choices(org_id))
    filters = PlacementFilters()
    if form.validate():
        filters = PlacementFilters(date_from=form.date_from.data, date_to=form.date_to.data,
                                   type=form.type.data or None, measure_id=form.measure_id.data,
                                   counsellor_id=form.counsellor_id.data, employer_id=form.employer_id.data)
    page, per_page = page_args()
    pagination = db.paginate(organisation_placements(org_id, filters), page=page, per_page=per_page,
                             error_out=False)
    return render_template("placements/list.html", form=form, pagination=pagination,
                           placement_types=PLACEMENT_TYPES)


@bp.route("/employers/<int:employer_id>/placements")
@casework_required
def employer_placements(employer_id: int):
    employer = get_employer_for(current_user, employer_id)
    page, per_page = page_args()
    pagination = db.paginate(organisation_placements(current_user.organisation_id,
                                                     PlacementFilters(employer_id=employer.id)),
                             page=page, per_page=per_page, error_out=False)
    employer_url = url_for("measures.employer", employer_id=employer.id)
    return render_template("placements/employer.html", employer=employer, pagination=pagination,
                           placement_types=PLACEMENT_TYPES, employer_url=employer_url)
