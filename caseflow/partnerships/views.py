"""The partnership's pages: partnerships (admins), the partners' measures, referring a participant,
the referrals received and sent, and the case file's referral panel."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from caseflow.accounts.auth import admin_required, casework_required, roles_required
from caseflow.accounts.models import Organisation
from caseflow.errors import Conflict, DomainError
from caseflow.extensions import db
from caseflow.participants.access import get_participant_with
from caseflow.participants.summary import summary_columns
from caseflow.participants.views import case_file_section_url, case_header_context
from caseflow.participants.vocabulary import ANSWERS
from caseflow.partnerships import services, sharing
from caseflow.partnerships.forms import (
    AcceptForm,
    AgreementForm,
    DeclineForm,
    PartnerAttendanceForm,
    PartnerEnrolmentForm,
    PartnerOutcomeForm,
    PartnershipForm,
    ReferralForm,
)
from caseflow.partnerships.vocabulary import REFERRAL_STATUSES
from caseflow.translation import gettext as _
from caseflow.vocabulary import (
    ENROLMENT_STATUSES,
    GENDERS,
    LABOUR_STATUSES,
    MEASURE_TYPES,
    PLACEMENT_TYPES,
    options,
    please_choose,
)
from caseflow.web import apply_error, page_args, rows_and_total

bp = Blueprint("partnerships", __name__)


@bp.route("/admin/partnerships", methods=["GET", "POST"])
@admin_required
def admin():
    form = PartnershipForm()
    orgs = db.session.execute(db.select(Organisation.id, Organisation.name).where(Organisation.active)
                              .order_by(Organisation.name)).all()
    form.organisation_ids.choices = options((i, n) for i, n in orgs)
    if form.validate_on_submit():
        try:
            services.create_partnership(form.name.data or "", list(form.organisation_ids.data or []),
                                        joined_on=form.joined_on.data, actor=current_user)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("The partnership has been created."), "success")
            return redirect(url_for("partnerships.admin"))
    return render_template("partnerships/admin.html", form=form, partnerships=services.all_partnerships())


@bp.route("/partner-measures")
@casework_required
def catalogue():
    return render_template("partnerships/catalogue.html", measures=services.partner_catalogue(current_user),
                           types=MEASURE_TYPES)


@bp.route("/participants/<int:participant_id>/referrals/new", methods=["GET", "POST"])
@casework_required
def refer(participant_id: int):
    # under the case's summary header, as the case file's other forms: its values come with the row
    participant, summary_row = get_participant_with(current_user, participant_id, summary_columns(),
                                                    allow_anonymised=False)
    consented = services.has_live_consent(participant.id, "partner_sharing")
    partners = services.partner_organisations(participant.organisation_id)
    measures = services.partner_catalogue(current_user)
    form = ReferralForm()
    form.organisation_id.choices = please_choose((str(o.id), o.name) for o in partners)
    form.measure_id.choices = options(((str(m["id"]), f"{m['organisation']}: {m['title']}") for m in measures), blank=_("– none –"))
    if request.args.get("measure_id") and request.method == "GET":
        chosen = next((m for m in measures if str(m["id"]) == request.args["measure_id"]), None)
        if chosen:
            form.measure_id.data = str(chosen["id"])
            form.organisation_id.data = str(chosen["organisation_id"])
    status = 200
    if form.validate_on_submit():
        try:
            services.refer_participant(participant.id, form.to_data(), actor=current_user)
        except DomainError as exc:
            apply_error(form, exc)
            status = 409 if isinstance(exc, Conflict) else 422
        else:
            flash(_("The referral has been sent to the partner organisation."), "success")
            return redirect(url_for("participants.case_file", participant_id=participant.id))
    return render_template("partnerships/refer.html", participant=participant, form=form, consented=consented,
                           partners=partners, **case_header_context(participant, summary_row)), status


@bp.route("/referrals")
@casework_required
def referral_list():
    direction = request.args.get("direction", "incoming")
    if direction not in ("incoming", "outgoing"):
        abort(404)
    page, per_page = page_args()
    rows, total = rows_and_total(services.referrals_for(current_user, direction), page, per_page, scalars=True)
    names = services.organisation_names({r.from_organisation_id for r in rows} | {r.to_organisation_id for r in rows})
    return render_template("partnerships/referrals.html", referrals=rows, total=total, page=page, per_page=per_page,
                           direction=direction, names=names, statuses=REFERRAL_STATUSES)


def _render_referral(referral, accept_form=None, decline_form=None, status=200, candidates=None):
    actor = current_user
    incoming = referral.to_organisation_id == actor.organisation_id
    packet = services.read_packet(referral, actor=actor) if services.packet_visible(referral, actor) else None
    measure = db.session.get(services.Measure, referral.measure_id) if referral.measure_id else None
    return render_template(
        "partnerships/referral.html", referral=referral, incoming=incoming, packet=packet, measure=measure,
        names=services.organisation_names({referral.from_organisation_id, referral.to_organisation_id}),
        statuses=REFERRAL_STATUSES, labour_statuses=LABOUR_STATUSES, answers=ANSWERS, genders=GENDERS,
        placement_types=PLACEMENT_TYPES, candidates=candidates,
        placements=[] if incoming else services.placement_outcome(referral),
        accept_form=accept_form or AcceptForm(formdata=None).setup(),
        decline_form=decline_form or DeclineForm(formdata=None)), status


@bp.route("/referrals/<int:referral_id>")
@casework_required
def referral(referral_id: int):
    return _render_referral(services.get_referral_for(current_user, referral_id))


@bp.route("/referrals/<int:referral_id>/accept", methods=["POST"])
@casework_required
def accept(referral_id: int):
    referral = services.get_referral_for(current_user, referral_id)
    form = AcceptForm().setup()
    if not form.validate_on_submit():
        return _render_referral(referral, accept_form=form, status=422)
    try:
        referral = services.accept_referral(referral.id, form.to_data(), actor=current_user)
    except DomainError as exc:
        apply_error(form, exc)
        candidates = exc.extra.get("candidates") if exc.code == "possible_duplicate" else None
        if candidates:
            flash(exc.message, "error")
        db.session.expire_all()
        return _render_referral(services.get_referral_for(current_user, referral_id), accept_form=form,
                                status=exc.status, candidates=candidates)
    flash(_("The referral has been accepted; the case has been opened."), "success")
    return redirect(url_for("participants.case_file", participant_id=referral.accepted_participant_id))


@bp.route("/referrals/<int:referral_id>/decline", methods=["POST"])
@casework_required
def decline(referral_id: int):
    referral = services.get_referral_for(current_user, referral_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _render_referral(referral, decline_form=form, status=422)
    try:
        services.decline_referral(referral.id, form.reason.data, actor=current_user)
    except DomainError as exc:
        apply_error(form, exc)
        db.session.expire_all()
        return _render_referral(services.get_referral_for(current_user, referral_id), decline_form=form,
                                status=exc.status)
    flash(_("The referral has been declined."), "success")
    return redirect(url_for("partnerships.referral_list"))


# --- partner measures (issue 17, item 3) -------------------------------------------------------------

@bp.route("/data-sharing-agreements", methods=["GET", "POST"])
@roles_required("counsellor", "team_lead", "admin")
def agreements():
    actor = current_user
    may_record = actor.role in ("admin", "team_lead")
    form = AgreementForm()
    if actor.role == "admin":
        orgs = [(str(i), n) for i, n in db.session.execute(db.select(Organisation.id, Organisation.name).where(
            Organisation.active).order_by(Organisation.name))]
        form.organisation_id.choices = please_choose(orgs)
        form.partner_organisation_id.choices = please_choose(orgs)
    else:
        del form.organisation_id
        form.partner_organisation_id.choices = please_choose(
            (str(o.id), o.name) for o in services.partner_organisations(actor.organisation_id))
    status = 200
    if may_record and form.validate_on_submit():
        try:
            sharing.record_agreement(form.to_data(), actor=actor)
        except DomainError as exc:
            apply_error(form, exc)
            status = exc.status
        else:
            flash(_("The data-sharing agreement has been recorded."), "success")
            return redirect(url_for("partnerships.agreements"))
    page, per_page = page_args()
    rows, total = rows_and_total(sharing.agreements_for(actor), page, per_page, scalars=True)
    names = services.organisation_names({r.organisation_a_id for r in rows} | {r.organisation_b_id for r in rows})
    return render_template("partnerships/agreements.html", form=form, may_record=may_record, agreements=rows,
                           total=total, page=page, per_page=per_page, names=names), status


@bp.route("/participants/<int:participant_id>/partner-enrolments/new", methods=["GET", "POST"])
@casework_required
def partner_enrol(participant_id: int):
    # under the case's summary header, as the enrolment into the own organisation's measures: its
    # values come with the participant's row
    participant, summary_row = get_participant_with(current_user, participant_id, summary_columns(),
                                                    allow_anonymised=False)
    consented = services.has_live_consent(participant.id, "partner_sharing")
    measures = services.partner_catalogue(current_user)
    form = PartnerEnrolmentForm()
    form.measure_id.choices = please_choose(
        (str(m["id"]), f"{m['organisation']}: {m['title']}") for m in measures)
    if request.method == "GET" and request.args.get("measure_id"):
        form.measure_id.data = request.args["measure_id"]
    status = 200
    if form.validate_on_submit():
        try:
            sharing.enrol_in_partner_measure(participant.id, form.to_data(), actor=current_user)
        except DomainError as exc:
            apply_error(form, exc)
            status = exc.status
        else:
            flash(_("The participant has been enrolled in the partner's measure."), "success")
            return redirect(case_file_section_url(participant.id, "measures"))
    return render_template("partnerships/partner_enrol.html", participant=participant, form=form,
                           consented=consented, measures=measures,
                           **case_header_context(participant, summary_row)), status


@bp.route("/partner-enrolments")
@casework_required
def partner_enrolments():
    page, per_page = page_args()
    rows, total = rows_and_total(sharing.partner_enrolments_for(current_user), page, per_page, scalars=True)
    return render_template("partnerships/partner_enrolments.html", enrolments=rows, total=total, page=page,
                           per_page=per_page, statuses=ENROLMENT_STATUSES)


def _render_partner_enrolment(enrolment, attendance_form=None, outcome_form=None, status=200):
    packet = sharing.read_partner_packet(enrolment, actor=current_user)
    if outcome_form is None:
        outcome_form = PartnerOutcomeForm(formdata=None, obj=enrolment)
        if enrolment.status not in sharing.PARTNER_OUTCOME_STATUSES:
            outcome_form.status.data = "active"
    outcome_form.version.data = enrolment.version
    from caseflow.measures.services import attendance_rates
    return render_template(
        "partnerships/partner_enrolment.html", enrolment=enrolment, packet=packet, statuses=ENROLMENT_STATUSES,
        labour_statuses=LABOUR_STATUSES, answers=ANSWERS, rate=attendance_rates([enrolment.id]).get(enrolment.id),
        attendance_form=attendance_form or PartnerAttendanceForm(formdata=None), outcome_form=outcome_form), status


@bp.route("/partner-enrolments/<int:enrolment_id>")
@casework_required
def partner_enrolment(enrolment_id: int):
    return _render_partner_enrolment(sharing.get_partner_enrolment_for(current_user, enrolment_id))


@bp.route("/partner-enrolments/<int:enrolment_id>/attendance", methods=["POST"])
@casework_required
def partner_attendance(enrolment_id: int):
    enrolment = sharing.get_partner_enrolment_for(current_user, enrolment_id)
    form = PartnerAttendanceForm()
    if not form.validate_on_submit():
        return _render_partner_enrolment(enrolment, attendance_form=form, status=422)
    try:
        sharing.record_partner_attendance(enrolment.id, form.date.data, form.present.data == "yes",
                                          actor=current_user)
    except DomainError as exc:
        apply_error(form, exc)
        db.session.expire_all()
        return _render_partner_enrolment(sharing.get_partner_enrolment_for(current_user, enrolment_id),
                                         attendance_form=form, status=exc.status)
    flash(_("Attendance recorded."), "success")
    return redirect(url_for("partnerships.partner_enrolment", enrolment_id=enrolment_id))


@bp.route("/partner-enrolments/<int:enrolment_id>/outcome", methods=["POST"])
@casework_required
def partner_outcome(enrolment_id: int):
    enrolment = sharing.get_partner_enrolment_for(current_user, enrolment_id)
    form = PartnerOutcomeForm()
    if not form.validate_on_submit():
        return _render_partner_enrolment(enrolment, outcome_form=form, status=422)
    changes = {"status": form.status.data, "start_date": form.start_date.data, "end_date": form.end_date.data,
               "dropout_reason": form.dropout_reason.data or None}
    try:
        version = form.version.data
        sharing.record_partner_outcome(enrolment.id, changes, actor=current_user,
                                       version=int(version) if str(version or "").isdigit() else version)
    except DomainError as exc:
        apply_error(form, exc)
        db.session.expire_all()
        return _render_partner_enrolment(sharing.get_partner_enrolment_for(current_user, enrolment_id),
                                         outcome_form=form, status=exc.status)
    flash(_("The enrolment has been updated."), "success")
    return redirect(url_for("partnerships.partner_enrolment", enrolment_id=enrolment_id))


def case_file_panel(participant, actor) -> dict:
    # On the case file's overview: two statements when the organisation is in no partnership (the
    # referrals with both organisations' names; the partnerships), more only for partners.
    referrals, names = services.referrals_of_participant_with_names(participant.id)
    partnerships = services.partnership_rows(participant.organisation_id)
    return {"referrals": referrals, "referral_names": names, "referral_statuses": REFERRAL_STATUSES,
            "partner_matches": services.likely_partner_matches(participant, partnerships) if partnerships else [],
            "has_partners": bool(partnerships) and bool(services.partner_organisations(participant.organisation_id))}
