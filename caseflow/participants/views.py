"""The case file pages: caseload (the counsellor's home page), registration, case file, editing,
notes, status changes, goals, tasks and reassignment. Thin: load through access.py, validate the
form, call one service, redirect or render."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from caseflow.accounts.auth import casework_required, roles_required
from caseflow.accounts.queries import counsellor_choices
from caseflow.accounts.sessions import caseload_search, set_caseload_search
from caseflow.errors import Conflict, DomainError
from caseflow.i18n import bound_task_title
from caseflow.navigation import available_endpoints
from caseflow.participants import duplicates, panels, queries, services, tasks
from caseflow.participants.access import get_participant_for, get_participant_with, get_record_for, get_record_with
from caseflow.participants.forms import (
    CaseloadSearchForm,
    CompleteTaskForm,
    GoalForm,
    NoteForm,
    ParticipantForm,
    ReassignForm,
    StatusChangeForm,
    TaskForm,
    form_data_of,
    int_or_none,
    search_term,
)
from caseflow.participants.models import Goal, Note, Participant, Task
from caseflow.participants.saved_filters import saved_filters_of
from caseflow.participants.summary import CaseSummary, case_summary, summary_columns
from caseflow.participants.timeline import build_timeline
from caseflow.participants.timeline_sources import recent_note_events
from caseflow.participants.vocabulary import ANSWERS, GOAL_STATUSES, ISCED_LEVELS, RECOGNITION_STATUSES
from caseflow.translation import gettext as _
from caseflow.translation import lazy_gettext as _l
from caseflow.validation import text_message, unsafe_text
from caseflow.vocabulary import GENDERS, LABOUR_STATUSES, RESIDENCE_STATUSES
from caseflow.web import apply_error, id_url, page_args

bp = Blueprint("participants", __name__)


@bp.app_template_global()
def case_file_url(participant_id: int) -> str:
    """The address of a participant's case file; every domain links to it through this one
    function (also a template global)."""
    return url_for("participants.case_file", participant_id=participant_id)


@bp.app_template_global()
def case_file_section_url(participant_id: int, section: str) -> str:
    """The address of one section of a participant's case file (see SECTIONS below): where a page
    sends the reader back after saving something that section shows."""
    if section == "overview":
        return case_file_url(participant_id)
    return url_for("participants.case_file_section", participant_id=participant_id, section=section)


# --- caseload ------------------------------------------------------------------------------------

# The caseload's search term lives on the login's server-side session row (accounts/sessions.py;
# deleted on logout and expiry), never in the query string nor in the readable cookie: names and
# case numbers stay out of addresses, history, logs and cookies.
NATIONALITY_CODE = re.compile(r"[A-Z]{2}|stateless")


def _default_counsellor() -> int | None:
    # Counsellors start with their own caseload, team leads with the whole organisation.
    return current_user.id if current_user.role == "counsellor" else None


def _caseload_filters(values: Mapping[str, str], q: str = "") -> queries.CaseloadFilters:
    """The caseload filters from the query string or the posted form; unknown values fall back."""
    counsellor = values.get("counsellor")
    nationality = values.get("nationality") or ""
    status, sort = values.get("status") or "", values.get("sort") or ""
    return queries.CaseloadFilters(
        status=status if status in ("active", "exited", "all") else "active",
        counsellor_id=_default_counsellor() if counsellor is None else int_or_none(counsellor),
        measure_id=int_or_none(values.get("measure")),
        nationality=nationality if NATIONALITY_CODE.fullmatch(nationality) else None,
        q=q,
        sort=sort if sort in queries.SORTS else "name",
        descending=values.get("dir") == "desc",
    )


def _filter_args(filters: queries.CaseloadFilters) -> dict[str, Any]:
    """The query string of these filters: only the non-personal ones, defaults left out."""
    args: dict[str, Any] = {}
    if filters.status != "active":
        args["status"] = filters.status
    if filters.counsellor_id != _default_counsellor():
        args["counsellor"] = "all" if filters.counsellor_id is None else filters.counsellor_id
    if filters.measure_id is not None:
        args["measure"] = filters.measure_id
    if filters.nationality:
        args["nationality"] = filters.nationality
    if filters.sort != "name":
        args["sort"] = filters.sort
    if filters.descending:
        args["dir"] = "desc"
    return args


@bp.before_request
def _search_term_out_of_the_address():
    """An old bookmark (/caseload?q=…): the term leaves the address at once and is dropped. A GET
    changes nothing: saving a search is the search form's POST (with its CSRF token), so that a link
    on another site cannot set anybody's search. Before the login check, so that a logged-out
    visitor's term does not travel on in the login page's `next` either."""
    if request.endpoint != "participants.caseload" or request.method != "GET" or "q" not in request.args:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("participants.caseload"))
    # only the checked, non-personal filters go on (never raw arguments: url_for would read
    # `_external`, `_anchor` … from them, and free text would stay in the address)
    page, per_page = page_args()
    paging: dict[str, Any] = {"page": page} if page > 1 else {}
    if "per_page" in request.args:
        paging["per_page"] = per_page
    return redirect(url_for("participants.caseload", **_filter_args(_caseload_filters(request.args)), **paging))


@bp.route("/caseload", methods=["GET", "POST"])
@casework_required
def caseload():
    if request.method == "POST":
        # Post/Redirect/Get: the term goes to the session, the other filters to the address.
        # (A missing or wrong CSRF token never gets here: CSRFProtect answers 400 first.)
        form = CaseloadSearchForm()
        if not form.validate_on_submit():
            abort(400)
        filters = _caseload_filters(form.filter_values())
        if unsafe_text(form.q.data or ""):
            # a NUL byte or another control character: refused (no database stores it), nothing kept
            filters.q = search_term(caseload_search())
            return _render_caseload(filters, search_error=text_message()), 422
        set_caseload_search(form.q.data)
        return redirect(url_for("participants.caseload", **_filter_args(filters)))
    return _render_caseload(_caseload_filters(request.args, search_term(caseload_search())))


def _render_caseload(filters: queries.CaseloadFilters, search_error: str | None = None, **context: Any) -> str:
    """The caseload page; `context` adds to the template's (the saved-filter form's errors)."""
    page, per_page = page_args()
    org_id = current_user.organisation_id
    result = queries.caseload(current_user, filters, page=page, per_page=per_page)
    today = date.today()
    for item in result.items:
        item["no_contact_grade"] = no_contact_grade(item, today)
    # "3 more in other caseloads – show": what the other filters hide of the search's matches
    hidden, hidden_capped = ((0, False) if result.total_is_capped
                             else queries.hidden_matches(current_user, filters, result.total))
    return render_template(
        "participants/caseload.html", page=result, filters=filters, filter_args=_filter_args(filters),
        choices=queries.filter_choices(org_id), tasks=queries.my_tasks(current_user),
        sorts=queries.SORTS, search_error=search_error, sort_url=_sort_url(filters),
        hidden_matches=hidden, hidden_capped=hidden_capped, widen_url=url_for("participants.caseload", **_filter_args(queries.widened(filters))),
        saved_filters=saved_filters_of(current_user),
        # per page rather than per row: the rows' and tasks' links, the tasks' titles (issue 19)
        case_file_url=id_url("participants.case_file", "participant_id"), task_title=bound_task_title(),
        follow_up_url=(id_url("placements.new_follow_up", "participant_id", "task")
                       if "placements.new_follow_up" in available_endpoints() else None), **context)


# The caseload's helpers, for the caseload's tools (caseload.py: quick search, export, saved filters).
caseload_filters, filter_args, render_caseload = _caseload_filters, _filter_args, _render_caseload


# The no-contact badge is graded, so that the rows that need a call stand out instead of every row
# carrying the same warning: 30, 60 and 90 days without a recorded contact (since entry if none).
NO_CONTACT_GRADES = (90, 60, 30)


def no_contact_grade(item: Mapping[str, Any], today: date) -> int | None:
    if item.get("status") != "active":
        return None
    since = item.get("last_contact") or item.get("entry_date")
    if since is None:
        return None
    days = (today - since).days
    return next((grade for grade in NO_CONTACT_GRADES if days >= grade), None)


def _sort_url(filters: queries.CaseloadFilters) -> Callable[[str], str]:
    """The address of the caseload sorted by `column`: ascending first, the other way round when it
    is sorted by that column already."""
    def url(column: str) -> str:
        args = _filter_args(filters)
        args.pop("sort", None)
        args.pop("dir", None)
        if column != "name":
            args["sort"] = column
        if column == filters.sort and not filters.descending:
            args["dir"] = "desc"
        return url_for("participants.caseload", **args)
    return url


# --- registration --------------------------------------------------------------------------------

@bp.route("/participants/new", methods=["GET", "POST"])
@casework_required
def register():
    form = ParticipantForm().setup(counsellor_choices(current_user.organisation_id))
    if request.method == "GET" and current_user.role == "counsellor":
        form.counsellor_id.data = str(current_user.id)
    candidates: Sequence[Participant] = []
    reasons: dict[int, list[str]] = {}
    status = 200
    if form.is_submitted() and not form.wants_more_rows:
        if form.validate():
            try:
                participant = services.register_participant(form.to_data(), actor=current_user)
            except Conflict as exc:
                status = 409
                if exc.code == "possible_duplicate":
                    candidates = queries.visible_among(current_user, exc.extra.get("candidates", []))
                    reasons = {m["id"]: duplicates.explain(m) for m in exc.extra.get("matches", [])}
                else:
                    flash(exc.message, "error")
            except DomainError as exc:
                apply_error(form, exc)
                status = 422
            else:
                flash(_("Participant registered with case number %(number)s.", number=participant.case_number),
                      "success")
                return redirect(url_for("participants.case_file", participant_id=participant.id))
        else:
            status = 422
    return render_template("participants/register.html", form=form, candidates=candidates,
                           reasons=reasons), status


# --- the case file -------------------------------------------------------------------------------
# The case file is split into sections with their own addresses; each loads only its own data. The
# summary header (summary.py) is on every section.

SECTIONS = ("overview", "timeline", "measures", "placements", "documents", "data-protection", "master-data")
SECTION_TITLES = {
    "overview": _l("Overview"), "timeline": _l("Timeline"), "measures": _l("Measures"),
    "placements": _l("Placements and outcomes"), "documents": _l("Documents"),
    "data-protection": _l("Consent and data protection"), "master-data": _l("Master data"),
}
# The timeline's filter: (value, label, the event kinds it shows).
TIMELINE_FILTERS: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("notes", _l("Notes"), ("note",)),
    ("status", _l("Labour-market status"), ("status_change",)),
    ("measures", _l("Measures"), ("enrolment", "enrolment_change")),
    ("outcomes", _l("Placements and outcomes"),
     ("placement", "placement_end", "certificate", "exit", "follow_up", "re_entry")),
    ("data-protection", _l("Data protection"), ("consent", "restriction")),
)
RECENT_ENTRIES = 5


def _sections() -> list[str]:
    """The sections offered: those of the case file itself and those some domain fills."""
    offered = panels.panel_sections()
    return [s for s in SECTIONS if s in ("overview", "timeline", "master-data", "data-protection") or s in offered]


def _split_timeline(events, kinds: tuple[str, ...] | None, today: date):
    """(upcoming, past): events dated after today never mix into the past."""
    if kinds is not None:
        events = [e for e in events if e.kind in kinds]
    upcoming = sorted((e for e in events if e.date > today), key=lambda e: (e.date, e.order))
    past = [e for e in events if e.date <= today]
    return upcoming, past


def _render_case_file(participant: Participant, section: str = "overview", status: int = 200,
                      summary: CaseSummary | None = None, **context):
    if section not in _sections():
        abort(404)
    today = date.today()
    context.update(participant=participant, section=section, sections=_sections(), section_titles=SECTION_TITLES,
                   summary=summary or case_summary(participant), answers=ANSWERS,
                   panels=[Markup(render_template(template, **{"participant": participant, **ctx}))
                           for template, ctx in panels.render_context(participant, current_user, section)])
    if section == "overview":
        pid = participant.id
        context.update(goals=queries.goals_of(pid), tasks=queries.tasks_of(pid), goal_labels=GOAL_STATUSES,
                       recent=recent_note_events(participant, today, RECENT_ENTRIES))
    elif section == "timeline":
        kind = request.args.get("kind", "")
        kinds = next((k for value, _label, k in TIMELINE_FILTERS if value == kind), None)
        upcoming, past = _split_timeline(build_timeline(participant), kinds, today)
        context.update(upcoming=upcoming, past=past, kind=kind if kinds else "", timeline_filters=TIMELINE_FILTERS)
    elif section == "master-data":
        context.update(languages=queries.languages_of(participant.id),
                       qualifications=queries.qualifications_of(participant.id),
                       current_status=queries.current_status_of(participant.id),
                       genders=GENDERS, labour_statuses=LABOUR_STATUSES, residence_statuses=RESIDENCE_STATUSES,
                       isced_levels=ISCED_LEVELS, recognition_labels=RECOGNITION_STATUSES)
    return render_template("participants/case_file.html", **context), status


def case_header_context(participant: Participant, summary_row: Any = None) -> dict[str, Any]:
    """What templates/participants/_case_header.html needs beside the participant, for a page about
    the case outside the case file's sections (the record forms here; the enrolment pages of
    measures; the outcome forms; the document upload; the enrolment into a partner's measure).
    `summary_row`: the values of summary.summary_columns(), when the page loaded them with the
    participant's row (access.get_participant_with); otherwise they cost one statement more."""
    return {"summary": case_summary(participant, summary_row), "sections": _sections(),
            "section_titles": SECTION_TITLES, "section": None}


def _participant_with_summary(participant_id: int) -> tuple[Participant, CaseSummary]:
    """The participant (for reading) and the summary header's facts from its row, in one statement
    (issue 19)."""
    participant, row = get_participant_with(current_user, participant_id, summary_columns())
    return participant, case_summary(participant, row)


@bp.route("/participants/<int:participant_id>")
@casework_required
def case_file(participant_id: int):
    participant, summary = _participant_with_summary(participant_id)
    page = _render_case_file(participant, summary=summary)
    # recorded once the page is rendered: the view's commit would otherwise expire the participant
    # and the account, and the page would load both again (issue 19: the overview's statements)
    services.record_case_view(participant, actor=current_user)
    return page


@bp.route("/participants/<int:participant_id>/"
          "<any(timeline, measures, placements, documents, 'data-protection', 'master-data'):section>")
@casework_required
def case_file_section(participant_id: int, section: str):
    participant, summary = _participant_with_summary(participant_id)
    page = _render_case_file(participant, section, summary=summary)
    services.record_case_view(participant, actor=current_user)
    return page


@bp.route("/participants/<int:participant_id>/edit", methods=["GET", "POST"])
@casework_required
def edit(participant_id: int):
    # under the case's summary header, as the case file's other forms: its values come with the row
    participant, summary_row = get_participant_with(current_user, participant_id, summary_columns(),
                                                    writable=request.method == "POST", allow_anonymised=False)
    if participant.restricted_at is not None:
        flash(_("Processing of this case is restricted; it is read-only."), "error")
        return redirect(url_for("participants.case_file", participant_id=participant.id))
    colleagues = counsellor_choices(participant.organisation_id)
    if request.method == "GET":
        form = ParticipantForm(formdata=None, data=form_data_of(participant, queries.languages_of(participant.id),
                                                                 queries.qualifications_of(participant.id)))
    else:
        form = ParticipantForm()
    form.setup(colleagues)
    conflict, status = None, 200
    if form.is_submitted() and not form.wants_more_rows:
        if form.validate():
            data = form.to_data()
            data.pop("confirm_not_duplicate")
            submitted_version = int_or_none(form.version.data)
            try:
                services.update_participant(participant, data, version=submitted_version, actor=current_user)
            except Conflict as exc:
                status = 409
                conflict = services.changes_since(participant, submitted_version or 0) if exc.code == "stale_version" else None
                if conflict is None:
                    flash(exc.message, "error")
                form.version.data = participant.version
            except DomainError as exc:
                apply_error(form, exc)
                status = 422
            else:
                flash(_("Master data saved."), "success")
                return redirect(url_for("participants.case_file", participant_id=participant.id))
        else:
            status = 422
    return render_template("participants/edit.html", form=form, participant=participant, conflict=conflict,
                           labels=_field_labels(form), **case_header_context(participant, summary_row)), status


def _field_labels(form: ParticipantForm) -> dict[str, str]:
    labels = {name: str(getattr(form, name).label.text) for name in services.MASTER_FIELDS}
    labels.update(languages=_("Languages"), foreign_qualifications=_("Foreign qualifications"))
    return labels


def _save_edit_form(form, save: Callable[[], object], done: str, target: str):
    """The edit pages (note, goal, reassignment): on a valid POST call the service, then flash `done`
    and redirect to `target`. Returns (redirect or None, the status to render the form with)."""
    if not form.validate_on_submit():
        return None, 422 if form.is_submitted() else 200
    try:
        save()
    except DomainError as exc:
        apply_error(form, exc)
        return None, exc.status
    flash(done, "success")
    return redirect(target), 200


def _participant_for_writing(participant_id: int) -> Participant:
    return get_participant_for(current_user, participant_id, writable=True, allow_anonymised=False)


# The case file's small forms (note, status change, goal, task) each have a page of their own under
# the summary header: opened from the header's actions, and shown again with the errors at the top
# (an error summary linking each field) where the counsellor sees them.
RECORD_FORMS: dict[str, dict[str, Any]] = {
    "note": {"title": _l("Progress note"), "action": "participants.add_note", "button": _l("Add note"),
             "back": "timeline"},
    "status": {"title": _l("Labour-market status change"), "action": "participants.add_status_change",
               "button": _l("Record status change"), "back": "master-data"},
    "goal": {"title": _l("Goal"), "action": "participants.add_goal", "button": _l("Add goal"), "back": "overview"},
    "task": {"title": _l("Task"), "action": "participants.add_task", "button": _l("Add task"), "back": "overview"},
}


def _blank_form(kind: str, participant: Participant):
    if kind == "note":
        form = NoteForm(formdata=None, prefix="note").setup(queries.note_enrolment_choices(participant.id))
        form.date.data = date.today()
    elif kind == "status":
        form = StatusChangeForm(formdata=None, prefix="status").setup()
        form.date.data = date.today()
    elif kind == "goal":
        form = GoalForm(formdata=None, prefix="goal").setup()
    else:
        form = TaskForm(formdata=None, prefix="task").setup(counsellor_choices(participant.organisation_id))
    return form


def _render_record_form(participant: Participant, kind: str, form, status: int = 200, summary_row: Any = None):
    spec = RECORD_FORMS[kind]
    back = spec["back"]
    back_url = (case_file_url(participant.id) if back == "overview"
                else url_for("participants.case_file_section", participant_id=participant.id, section=back))
    return render_template("participants/record.html", participant=participant, form=form, kind=kind,
                           title=spec["title"], button=spec["button"], back_url=back_url,
                           action=url_for(spec["action"], participant_id=participant.id),
                           **case_header_context(participant, summary_row)), status


@bp.route("/participants/<int:participant_id>/<any(note, status, goal, task):kind>/new")
@casework_required
def new_record(participant_id: int, kind: str):
    # the header's facts come with the participant's row, as on the case file (one statement)
    participant, summary_row = get_participant_with(current_user, participant_id, summary_columns(),
                                                    allow_anonymised=False)
    if participant.restricted_at is not None:
        flash(_("Processing of this case is restricted; it is read-only."), "error")
        return redirect(case_file_url(participant.id))
    return _render_record_form(participant, kind, _blank_form(kind, participant), summary_row=summary_row)


def _record_on_case_file(participant: Participant, form, kind: str, target: str, done: str,
                         record: Callable[[], object]):
    """Validate, call the service, then back to the case file at `target`; on errors the form's own
    page again, the error summary at the top."""
    if form.validate():
        try:
            record()
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(done, "success")
            return redirect(target)
    return _render_record_form(participant, kind, form, 422)


def _section_url(participant: Participant, section: str) -> str:
    return url_for("participants.case_file_section", participant_id=participant.id, section=section)


@bp.route("/participants/<int:participant_id>/notes", methods=["POST"])
@casework_required
def add_note(participant_id: int):
    participant = _participant_for_writing(participant_id)
    form = NoteForm(prefix="note").setup(queries.note_enrolment_choices(participant.id))
    return _record_on_case_file(participant, form, "note", _section_url(participant, "timeline"), _("Note added."),
                                lambda: services.add_note(participant, form.to_data(), actor=current_user))


@bp.route("/participants/<int:participant_id>/notes/<int:note_id>/edit", methods=["GET", "POST"])
@casework_required
def correct_note(participant_id: int, note_id: int):
    participant, note, summary_row = get_record_with(current_user, participant_id, Note, note_id, summary_columns(),
                                                     writable=request.method == "POST")
    enrolments = queries.note_enrolment_choices(participant.id)
    form = NoteForm(obj=note).setup(enrolments) if request.method == "GET" else NoteForm().setup(enrolments)
    done, status = _save_edit_form(
        form, lambda: services.correct_note(note, form.to_data(), version=int_or_none(form.version.data),
                                            actor=current_user),
        _("Note corrected; the earlier text is kept in the history."), _section_url(participant, "timeline"))
    if done is not None:
        return done
    return render_template("participants/note_edit.html", form=form, participant=participant, note=note,
                           **case_header_context(participant, summary_row)), status


@bp.route("/participants/<int:participant_id>/status-changes", methods=["POST"])
@casework_required
def add_status_change(participant_id: int):
    participant = _participant_for_writing(participant_id)
    form = StatusChangeForm(prefix="status").setup()
    return _record_on_case_file(participant, form, "status", _section_url(participant, "master-data"),
                                _("Status change recorded."),
                                lambda: services.add_status_change(participant, date_=form.date.data,
                                                                   status=form.status.data or None,
                                                                   actor=current_user))


@bp.route("/participants/<int:participant_id>/goals", methods=["POST"])
@casework_required
def add_goal(participant_id: int):
    participant = _participant_for_writing(participant_id)
    form = GoalForm(prefix="goal").setup()
    return _record_on_case_file(participant, form, "goal", case_file_url(participant.id) + "#plan", _("Goal added."),
                                lambda: services.add_goal(participant, form.to_data(), actor=current_user))


@bp.route("/participants/<int:participant_id>/goals/<int:goal_id>/edit", methods=["GET", "POST"])
@casework_required
def edit_goal(participant_id: int, goal_id: int):
    participant, goal, summary_row = get_record_with(current_user, participant_id, Goal, goal_id, summary_columns(),
                                                     writable=request.method == "POST")
    form = GoalForm(obj=goal).setup() if request.method == "GET" else GoalForm().setup()
    done, status = _save_edit_form(
        form, lambda: services.update_goal(goal, form.to_data(), version=int_or_none(form.version.data),
                                           actor=current_user),
        _("Goal saved."), case_file_url(participant.id) + "#plan")
    if done is not None:
        return done
    return render_template("participants/goal_edit.html", form=form, participant=participant, goal=goal,
                           **case_header_context(participant, summary_row)), status


@bp.route("/participants/<int:participant_id>/tasks", methods=["POST"])
@casework_required
def add_task(participant_id: int):
    participant = _participant_for_writing(participant_id)
    form = TaskForm(prefix="task").setup(counsellor_choices(participant.organisation_id))
    return _record_on_case_file(participant, form, "task", case_file_url(participant.id) + "#tasks", _("Task added."),
                                lambda: services.add_task(participant, form.to_data(), actor=current_user))


@bp.route("/participants/<int:participant_id>/tasks/<int:task_id>/done", methods=["POST"])
@casework_required
def complete_task(participant_id: int, task_id: int):
    participant, task = get_record_for(current_user, participant_id, Task, task_id, writable=True)
    form = CompleteTaskForm()
    if not form.validate():
        abort(400)
    try:
        tasks.complete_task(task, version=int_or_none(form.version.data), actor=current_user)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Task done."), "success")
    return redirect(url_for("participants.case_file", participant_id=participant.id) + "#tasks")


@bp.route("/participants/<int:participant_id>/reassign", methods=["GET", "POST"])
@roles_required("team_lead")
def reassign(participant_id: int):
    participant, summary_row = get_participant_with(current_user, participant_id, summary_columns(),
                                                    writable=request.method == "POST", allow_anonymised=False)
    form = ReassignForm().setup(counsellor_choices(participant.organisation_id))
    if request.method == "GET":
        form.counsellor_id.data = str(participant.counsellor_id or "")
        form.version.data = participant.version
    done, status = _save_edit_form(
        form, lambda: tasks.reassign_case(participant, counsellor_id=int_or_none(form.counsellor_id.data),
                                          version=int_or_none(form.version.data), actor=current_user,
                                          move_tasks=bool(form.move_tasks.data)),
        _("Participant reassigned."), case_file_url(participant.id))
    if done is not None:
        return done
    # the current counsellor is one of the header's facts (summary.counsellor_name)
    return render_template("participants/reassign.html", form=form, participant=participant,
                           **case_header_context(participant, summary_row)), status
