"""The administrators' page of the scheduled jobs: schedule, last run, duration, outcome."""
from __future__ import annotations

from flask import Blueprint, render_template

from caseflow.accounts.auth import roles_required
from caseflow.jobs.runner import job_overview, recent_runs

bp = Blueprint("jobs", __name__)


@bp.route("/admin/jobs")
@roles_required("admin")
def overview():
    return render_template("jobs/overview.html", jobs=job_overview(), runs=recent_runs())
