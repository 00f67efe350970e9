"""Pages of the measure catalogue, enrolments, attendance and the employer directory. Views load
through the access loaders, validate the form, call one service, then redirect or render."""
from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from caseflow.accounts.auth import casework_required, roles_required
from caseflow.accounts.queries import organisation_choices
from caseflow.errors import DomainError, Forbidden, NotFound
from caseflow.extensions import db
from caseflow.i18n import country_choices
from caseflow.measures import queries, services
from caseflow.measures.access import (
    get_employer_for,
    get_enrolment_with,
    get_measure_for,
    may_manage_measure,
    may_manage_measures,
    may_work_with_measure,
    visible_employers,
    visible_measures,
)
from caseflow.measures.details import DETAILS, details_for_api, display_value
from caseflow.measures.forms import (
    BulkEnrolmentForm,
    EmployerForm,
    EnrolmentCreateForm,
    EnrolmentEditForm,
    MeasureForm,
    SessionForm,
    attendance_form_class,
    details_form_class,
    details_from_form,
    fill_details,
    set_detail_choices,
)
from caseflow.measures.models import Employer, Measure
from caseflow.measures.vocabulary import COMPANY_SIZES, NACE_SECTIONS
from caseflow.participants.access import get_participant_with, participant_ids_by_case_number
from caseflow.participants.models import Participant
from caseflow.participants.summary import summary_columns
from caseflow.participants.views import case_header_context
from caseflow.translation import gettext as _
from caseflow.validation import REQUIRED
from caseflow.vocabulary import ENROLMENT_STATUSES, MEASURE_TYPES, PLEASE_CHOOSE, options, please_choose
from caseflow.web import apply_error, page_args

bp = Blueprint("measures", __name__)

CATALOGUE_ROLES = ("counsellor", "team_lead", "admin")


def _load(loader, *args, **kwargs):
    """Runs an access loader, turning its NotFound/Forbidden into the HTTP error page."""
    try:
        return loader(*args, **kwargs)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)


def _version(form) -> int | None:
    """The version the page was rendered with (a hidden field); None when it is not a number, which
    the service answers as a version error."""
    value = form.version.data
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() else None


def _sa_page(stmt):
    page, per_page = page_args()
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


# --- catalogue -------------------------------------------------------------------------------------

@bp.route("/measures")
@roles_required(*CATALOGUE_ROLES)
def catalogue():
    stmt = visible_measures(current_user).options(sa.orm.joinedload(Measure.organisation))
    chosen_type = request.args.get("type") if request.args.get("type") in MEASURE_TYPES else ""
    show = request.args.get("show", "active")
    if chosen_type:
        stmt = stmt.where(Measure.type == chosen_type)
    if show != "all":
        stmt = stmt.where(Measure.active.is_(True))
    pagination = _sa_page(stmt.order_by(Measure.start_date.desc(), Measure.title, Measure.id))
    counts = queries.measure_counts(m.id for m in pagination.items)
    return render_template("measures/catalogue.html", pagination=pagination, counts=counts,
                           chosen_type=chosen_type, show=show, types=MEASURE_TYPES,
                           may_create=may_manage_measures(current_user))


def _organisation_choices(form: MeasureForm) -> None:
    if current_user.role == "admin":
        form.organisation_id.choices = please_choose(organisation_choices())
    else:
        del form.organisation_id


@bp.route("/measures/new", methods=["GET", "POST"])
@roles_required("team_lead", "admin")
def measure_new():
    form = MeasureForm()
    _organisation_choices(form)
    status = 200
    if form.validate_on_submit():
        org_id = form.organisation_id.data if current_user.role == "admin" else current_user.organisation_id
        try:
            measure = services.create_measure(form.data_for_service(), organisation_id=org_id, actor=current_user)
        except DomainError as exc:
            apply_error(form, exc)
            status = exc.status
        else:
            flash(_("Measure created."), "success")
            return redirect(url_for("measures.measure", measure_id=measure.id))
    return render_template("measures/measure_form.html", form=form, measure=None), status


@bp.route("/measures/<int:measure_id>/edit", methods=["GET", "POST"])
@roles_required("team_lead", "admin")
def measure_edit(measure_id: int):
    measure = _load(get_measure_for, current_user, measure_id)
    if not may_manage_measure(current_user, measure):
        abort(403)
    form = MeasureForm(obj=measure)
    del form.organisation_id
    status = 200
    if form.validate_on_submit():
        try:
            services.update_measure(measure, form.data_for_service(), version=_version(form),
                                    actor=current_user)
        except DomainError as exc:
            apply_error(form, exc)
            status = exc.status
        else:
            flash(_("Measure saved."), "success")
            return redirect(url_for("measures.measure", measure_id=measure.id))
    else:
        form.version.data = measure.version
    return render_template("measures/measure_form.html", form=form, measure=measure), status


@bp.route("/measures/<int:measure_id>")
@roles_required(*CATALOGUE_ROLES)
def measure(measure_id: int):
    measure = _load(get_measure_for, current_user, measure_id)
    counts = queries.measure_counts([measure.id]).get(measure.id, {"places_taken": 0, "waiting": 0})
    casework = may_work_with_measure(current_user, measure)
    context = {"measure": measure, "counts": counts, "status_counts": queries.status_counts(counts),
               "casework": casework, "may_manage": may_manage_measure(current_user, measure)}
    if casework:
        status = request.args.get("status") if request.args.get("status") in ENROLMENT_STATUSES else None
        page, per_page = page_args()
        enrolments = queries.measure_enrolments(measure.id, status=status, page=page, per_page=per_page)
        waiting = queries.waiting_list(measure.id)
        context.update(
            status=status, enrolments=enrolments, waiting=waiting,
            rates=services.attendance_rates([e.id for e in enrolments.items]),
            minutes=queries.enrolment_minutes(e.id for e in enrolments.items),
            total_minutes=queries.measure_minutes(measure.id),
            sessions=queries.sessions_of(measure.id), session_form=SessionForm(),
            placements=queries.placements_after(measure.id))
    return render_template("measures/measure.html", **context)


# --- attendance ------------------------------------------------------------------------------------

def _measure_for_casework(measure_id: int) -> Measure:
    measure = _load(get_measure_for, current_user, measure_id)
    if not may_work_with_measure(current_user, measure):
        abort(403)
    return measure


@bp.route("/measures/<int:measure_id>/sessions", methods=["POST"])
@casework_required
def session_add(measure_id: int):
    measure = _measure_for_casework(measure_id)
    form = SessionForm()
    if form.validate_on_submit():
        try:
            session = services.add_session(measure, session_date=form.date.data, topic=form.topic.data,
                                           minutes=form.minutes.data, actor=current_user)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("Session added. Now record who was there."), "success")
            return redirect(url_for("measures.attendance", measure_id=measure.id, session_id=session.id))
    return render_template("measures/session_form.html", measure=measure, form=form), 422


@bp.route("/measures/<int:measure_id>/sessions/<int:session_id>", methods=["GET", "POST"])
@casework_required
def attendance(measure_id: int, session_id: int):
    measure = _measure_for_casework(measure_id)
    session = queries.session_of_measure(measure.id, session_id)
    if session is None:
        abort(404)
    roster = queries.roster_with_participants(session)
    form = attendance_form_class(tuple(e.id for e in roster))()
    if form.validate_on_submit():
        present = {e.id: bool(getattr(form, f"present_{e.id}").data) for e in roster}
        try:
            # a post without the duration field (an older page) leaves the duration as it is
            minutes = form.minutes.data if "minutes" in request.form else services.KEEP
            alerted = services.record_attendance(session, present, minutes=minutes, actor=current_user)
        except DomainError as exc:
            apply_error(form, exc)
            flash(exc.message, "error")
        else:
            flash(_("Attendance saved."), "success")
            if alerted:
                flash(_("Attendance fell below 80 %% for %(n)s participant(s); their counsellors have a task.",
                        n=len(alerted)), "warning")
            return redirect(url_for("measures.measure", measure_id=measure.id))
    elif request.method == "GET":
        # nobody is ticked until someone is seen: a session saved without looking records absence,
        # never attendance that did not happen (what was recorded before shows again)
        recorded = queries.recorded_attendance(session.id)
        for e in roster:
            getattr(form, f"present_{e.id}").data = recorded.get(e.id, False)
        form.minutes.data = session.minutes
    rates = services.attendance_rates(e.id for e in roster)
    return render_template("measures/attendance.html", measure=measure, session=session, roster=roster,
                           form=form, rates=rates, minutes=queries.enrolment_minutes(e.id for e in roster))


# --- bulk enrolment --------------------------------------------------------------------------------

CASE_NUMBER = re.compile(r"CF-\d{4}-\d{6}")


@bp.route("/measures/<int:measure_id>/bulk", methods=["GET", "POST"])
@casework_required
def bulk(measure_id: int):
    measure = _measure_for_casework(measure_id)
    candidates = queries.bulk_candidates(current_user)
    form = BulkEnrolmentForm()
    form.participant_ids.choices = options((c.id, f"{c.last_name}, {c.first_name} ({c.case_number})") for c in candidates)
    results = None
    if form.validate_on_submit():
        ids = list(form.participant_ids.data or [])
        numbers = CASE_NUMBER.findall((form.case_numbers.data or "").upper())
        unknown = []
        if numbers:
            found = participant_ids_by_case_number(current_user, numbers)
            ids += [found[n] for n in numbers if n in found]
            unknown = [n for n in numbers if n not in found]
        if not ids and not unknown:
            form.participant_ids.errors = [_("Choose at least one participant.")]
        else:
            data = services.EnrolmentInput(start_date=form.start_date.data, end_date=form.end_date.data,
                                           status=form.status.data)
            try:
                results = services.bulk_enrol(measure, ids, data, actor=current_user)
            except DomainError as exc:
                flash(exc.message, "error")
            else:
                results += [services.BulkResult(0, n, "refused", _("No such participant in your organisation."))
                            for n in unknown]
    return render_template("measures/bulk.html", measure=measure, form=form, results=results)


# --- enrolments ------------------------------------------------------------------------------------

def _detail_choices(form, measure_type: str, participant: Participant) -> None:
    kinds = {d.kind for d in DETAILS[measure_type]}
    employers = queries.employer_choices(participant.organisation_id) if "employer" in kinds else []
    recognitions = queries.partial_recognitions(participant.id) if "enrolment" in kinds else []
    set_detail_choices(form, measure_type, countries=country_choices(str(get_locale())), employers=employers,
                       recognitions=recognitions)


@bp.route("/participants/<int:participant_id>/enrolments/new", methods=["GET", "POST"])
@casework_required
def enrolment_new(participant_id: int):
    # Both steps show the case's summary header, as the case file's own forms do; its facts come
    # with the participant's row, in the one statement that loads it.
    participant, summary_row = _load(get_participant_with, current_user, participant_id, summary_columns())
    measures = queries.enrollable_measures(current_user)
    chosen = request.values.get("measure_id", type=int)
    measure = None
    if chosen:
        try:
            measure = services.measure_for_enrolment_form(current_user, chosen)
        except DomainError:
            measure = None
    if measure is None:
        # the measure select starts with "please choose": sent without a choice, it says so
        error = str(REQUIRED) if "measure_id" in request.values else None
        return render_template("measures/enrolment_choose.html", participant=participant, measures=measures,
                               types=MEASURE_TYPES, please_choose=PLEASE_CHOOSE, error=error,
                               **case_header_context(participant, summary_row)), 422 if error else 200
    form = details_form_class(EnrolmentCreateForm, measure.type)()
    _detail_choices(form, measure.type, participant)
    if request.method == "GET":
        form.measure_id.data = measure.id
        linked = request.args.get("linked", type=int)
        if linked and hasattr(form, "linked_enrolment_id"):
            form.linked_enrolment_id.data = str(linked)
    if form.validate_on_submit():
        data = services.EnrolmentInput(start_date=form.start_date.data, end_date=form.end_date.data,
                                       status=form.status.data, dropout_reason=form.dropout_reason.data,
                                       details=details_from_form(form, measure.type), minutes=form.minutes.data)
        try:
            enrolment = services.enrol_participant(participant, measure, data, actor=current_user)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            if enrolment.waitlisted_at:
                flash(_("The measure is full: the participant is on the waiting list."), "warning")
            else:
                flash(_("Participant enrolled."), "success")
            return redirect(url_for("measures.enrolment", enrolment_id=enrolment.id))
    return render_template("measures/enrolment_new.html", participant=participant, measure=measure, form=form,
                           details=DETAILS[measure.type], **case_header_context(participant, summary_row))


@bp.route("/enrolments/<int:enrolment_id>", methods=["GET", "POST"])
@casework_required
def enrolment(enrolment_id: int):
    # the page sits under the case's summary header, whose values come with the participant's row
    enrolment, participant, summary_row = _load(get_enrolment_with, current_user, enrolment_id, summary_columns())
    measure = enrolment.measure
    form = details_form_class(EnrolmentEditForm, measure.type)(obj=enrolment)
    _detail_choices(form, measure.type, participant)
    # Offer only the statuses the enrolment can move to (a waiting one cannot start yet).
    reachable = {enrolment.status} | set(services.TRANSITIONS[enrolment.status])
    if enrolment.waitlisted_at is not None:
        reachable.discard("active")
    form.status.choices = options((k, v) for k, v in ENROLMENT_STATUSES.items() if k in reachable)
    status = 200
    if form.validate_on_submit():
        changes = {"status": form.status.data, "start_date": form.start_date.data, "end_date": form.end_date.data,
                   "dropout_reason": form.dropout_reason.data, "details": details_from_form(form, measure.type)}
        if "minutes" in request.form:  # a post without the field leaves the recorded hours as they are
            changes["minutes"] = form.minutes.data
        if enrolment.waitlisted_at is not None and changes["status"] == "planned":
            changes.pop("status")
        try:
            services.change_enrolment(enrolment, changes, version=_version(form), actor=current_user)
        except DomainError as exc:
            if exc.code == "stale_version":
                form.form_errors.append(exc.message)
            apply_error(form, exc)
            status = exc.status
        else:
            flash(_("Enrolment saved."), "success")
            return redirect(url_for("measures.enrolment", enrolment_id=enrolment.id))
    elif request.method == "POST":
        status = 422
    else:
        form.version.data = enrolment.version
        fill_details(form, measure.type, details_for_api(enrolment))
    stored = details_for_api(enrolment)
    shown = [(d, display_value(d, stored.get(d.name))) for d in DETAILS[measure.type]]
    host, linked = queries.enrolment_links(enrolment)
    offer_adaptation = None
    if measure.type == "recognition_counselling" and (enrolment.details or {}).get("outcome") == "partial":
        offer_adaptation = queries.enrollable_measures(current_user, "adaptation_qualification")
    rates = services.attendance_rates([enrolment.id])
    return render_template("measures/enrolment.html", enrolment=enrolment, participant=participant, measure=measure,
                           form=form, details=DETAILS[measure.type], shown=shown, host=host, linked=linked,
                           offer_adaptation=offer_adaptation, rate=rates.get(enrolment.id),
                           minutes=queries.enrolment_minutes([enrolment.id])[enrolment.id],
                           transitions=services.TRANSITIONS, **case_header_context(participant, summary_row)), status


# --- employers -------------------------------------------------------------------------------------

@bp.route("/employers")
@casework_required
def employers():
    stmt = visible_employers(current_user).order_by(Employer.name, Employer.id)
    q = (request.args.get("q") or "").strip()[:100]
    if q:
        stmt = stmt.where(Employer.name.ilike(f"%{q}%"))
    return render_template("measures/employers.html", pagination=_sa_page(stmt), q=q,
                           sections=NACE_SECTIONS, sizes=COMPANY_SIZES)


@bp.route("/employers/new", methods=["GET", "POST"])
@casework_required
def employer_new():
    form = EmployerForm()
    status = 200
    if form.validate_on_submit():
        try:
            employer = services.create_employer(form.data_for_service(), actor=current_user)
        except DomainError as exc:
            apply_error(form, exc)
            status = exc.status
        else:
            flash(_("Employer added."), "success")
            return redirect(url_for("measures.employer", employer_id=employer.id))
    return render_template("measures/employer_form.html", form=form, employer=None), status


@bp.route("/employers/<int:employer_id>/edit", methods=["GET", "POST"])
@casework_required
def employer_edit(employer_id: int):
    employer = _load(get_employer_for, current_user, employer_id)
    form = EmployerForm(obj=employer)
    status = 200
    if form.validate_on_submit():
        try:
            services.update_employer(employer, form.data_for_service(), version=_version(form),
                                     actor=current_user)
        except DomainError as exc:
            if exc.code == "stale_version":
                form.form_errors.append(exc.message)
            apply_error(form, exc)
            status = exc.status
        else:
            flash(_("Employer saved."), "success")
            return redirect(url_for("measures.employer", employer_id=employer.id))
    else:
        form.version.data = employer.version
    return render_template("measures/employer_form.html", form=form, employer=employer), status


@bp.route("/employers/<int:employer_id>")
@casework_required
def employer(employer_id: int):
    employer = _load(get_employer_for, current_user, employer_id)
    partnerships = queries.hosted_partnerships(employer)
    return render_template("measures/employer.html", employer=employer, partnerships=partnerships,
                           sections=NACE_SECTIONS, sizes=COMPANY_SIZES)


@bp.context_processor
def vocabularies():
    return {"measure_types": MEASURE_TYPES, "enrolment_statuses": ENROLMENT_STATUSES}
