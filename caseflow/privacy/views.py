"""Data protection pages: consents, restriction, the printable export, anonymisation, retention and
the record of processing. Views load through the access loader, validate, call one service."""
from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_login import current_user

from caseflow.accounts.auth import casework_required, roles_required
from caseflow.errors import DomainError
from caseflow.participants.access import get_participant_for, get_participant_with
from caseflow.participants.summary import summary_columns
from caseflow.participants.views import case_file_section_url, case_file_url, case_header_context
from caseflow.privacy import processing_record as record_of_processing
from caseflow.privacy import queries, services
from caseflow.privacy.export import display_value
from caseflow.privacy.forms import AnonymiseForm, ConsentForm, RestrictionForm, RetentionRunForm, WithdrawConsentForm
from caseflow.privacy.labels import HIDDEN_COLUMNS, column_label, table_label
from caseflow.privacy.vocabulary import CONSENT_FORM_LABELS, CONSENT_PURPOSE_LABELS
from caseflow.translation import gettext as _
from caseflow.vocabulary import please_choose
from caseflow.web import apply_error, page_args

bp = Blueprint("privacy", __name__)


@bp.app_context_processor
def inject_helpers():
    return {"consent_purposes": CONSENT_PURPOSE_LABELS,
            "consent_forms": CONSENT_FORM_LABELS}


# --- consents ------------------------------------------------------------------------------------

def _language_choices():
    from caseflow.i18n import language_choices
    return please_choose(language_choices(str(get_locale())))


@bp.route("/participants/<int:participant_id>/consents", methods=["GET", "POST"])
@casework_required
def consents(participant_id: int):
    # under the case's summary header, as the case file's other pages: its values come with the row
    participant, summary_row = get_participant_with(current_user, participant_id, summary_columns())
    form = ConsentForm()
    form.notice_language.choices = _language_choices()
    if request.method == "GET":
        form.notice_language.data = str(get_locale())
    status = 200
    if form.validate_on_submit():
        data = services.ConsentData(purpose=form.purpose.data, given_on=form.given_on.data, form=form.form.data,
                                    witness=form.witness.data, notice_version=form.notice_version.data,
                                    notice_language=form.notice_language.data)
        try:
            services.record_consent(participant.id, data, actor=current_user)
        except DomainError as exc:
            apply_error(form, exc)
            status = exc.status
        else:
            flash(_("Consent recorded."), "success")
            return redirect(url_for("privacy.consents", participant_id=participant.id))
    elif request.method == "POST":
        status = 422
    records = services.consents_of(participant)
    return render_template("privacy/consents.html", participant=participant, form=form, consents=records,
                           status=services.consent_status(records), withdraw_form=WithdrawConsentForm(),
                           **case_header_context(participant, summary_row)), status


@bp.route("/consents/<int:consent_id>/withdraw", methods=["POST"])
@casework_required
def withdraw_consent(consent_id: int):
    form = WithdrawConsentForm()
    participant_id = request.form.get("participant_id", type=int)
    if form.validate_on_submit():
        try:
            consent = services.withdraw_consent(consent_id, form.withdrawn_on.data, actor=current_user)
        except DomainError as exc:
            if exc.status == 404:
                raise
            flash(exc.fields.get("withdrawn_on", [exc.message])[0], "error")
        else:
            flash(_("Consent withdrawn."), "success")
            participant_id = consent.participant_id
    else:
        flash(_("Enter the date of the withdrawal."), "error")
    if participant_id is None:
        return redirect(url_for("participants.caseload"))
    return redirect(url_for("privacy.consents", participant_id=participant_id))


# --- restriction ---------------------------------------------------------------------------------

@bp.route("/participants/<int:participant_id>/restriction", methods=["GET", "POST"])
@roles_required("team_lead")
def restriction(participant_id: int):
    participant, summary_row = get_participant_with(current_user, participant_id, summary_columns(),
                                                    allow_anonymised=False)
    form = RestrictionForm()
    if request.method == "GET":
        form.version.data = participant.version
    status = 200
    if form.validate_on_submit():
        try:
            if participant.restricted_at is None:
                services.restrict_processing(participant.id, form.reason.data, actor=current_user,
                                             version=form.version.data)
                flash(_("Processing of this case is now restricted."), "success")
            else:
                services.lift_restriction(participant.id, actor=current_user, version=form.version.data)
                flash(_("The restriction has been lifted."), "success")
        except DomainError as exc:
            apply_error(form, exc)
            status = exc.status
        else:
            return redirect(case_file_section_url(participant.id, "data-protection"))
    elif request.method == "POST":
        status = 422
    return render_template("privacy/restriction.html", participant=participant, form=form,
                           **case_header_context(participant, summary_row)), status


# --- subject access --------------------------------------------------------------------------------

@bp.route("/participants/<int:participant_id>/export")
@casework_required
def export_page(participant_id: int):
    participant = get_participant_for(current_user, participant_id)
    data = services.export_participant(participant, actor=current_user, channel="web")
    wanted = request.args.get("lang")
    lang = wanted if wanted in current_app.config["LANGUAGES"] else participant.preferred_language
    if lang not in current_app.config["LANGUAGES"]:
        lang = str(get_locale())
    with force_locale(lang):
        return render_template("privacy/export.html", participant=participant, data=data, lang=lang,
                               table_label=table_label, column_label=column_label, hidden=HIDDEN_COLUMNS,
                               show=display_value,
                               sections=[(name, rows) for name, rows in data["records"].items()])


@bp.route("/participants/<int:participant_id>/export.json")
@casework_required
def export_json(participant_id: int):
    participant = get_participant_for(current_user, participant_id)
    data = services.export_participant(participant, actor=current_user, channel="download")
    return Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{participant.case_number}.json"'})


# --- anonymisation ---------------------------------------------------------------------------------

@bp.route("/participants/<int:participant_id>/anonymise", methods=["GET", "POST"])
@roles_required("team_lead")
def anonymise(participant_id: int):
    participant, summary_row = get_participant_with(current_user, participant_id, summary_columns())
    form = AnonymiseForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.anonymise_participant(participant.id, form.reason.data, actor=current_user)
        except DomainError as exc:
            apply_error(form, exc)
            status = exc.status
        else:
            flash(_("The personal data of case %(number)s have been removed.", number=participant.case_number),
                  "success")
            return redirect(case_file_url(participant.id))
    elif request.method == "POST":
        status = 422
    return render_template("privacy/anonymise.html", participant=participant, form=form,
                           **case_header_context(participant, summary_row)), status


# --- retention -------------------------------------------------------------------------------------

@bp.route("/admin/retention", methods=["GET", "POST"])
@roles_required("admin")
def retention():
    form = RetentionRunForm()
    if form.validate_on_submit():
        done = services.run_retention(actor=current_user)
        flash(_("%(n)s participants anonymised.", n=done), "success")
        return redirect(url_for("privacy.retention"))
    page, per_page = page_args()
    return render_template("privacy/retention.html", form=form, summary=services.retention_summary(),
                           pagination=queries.retention_page(page, per_page))


# --- record of processing -----------------------------------------------------------------------------

@bp.route("/privacy/record-of-processing")
@roles_required("admin", "team_lead")
def processing_record():
    return render_template("privacy/processing_record.html", record=record_of_processing.build())
