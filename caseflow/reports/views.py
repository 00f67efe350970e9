from flask import Blueprint, render_template

from caseflow.accounts.auth import roles_required

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.route("/")
@roles_required("counsellor", "team_lead", "analyst", "admin")
def index():
    return render_template("reports/index.html")
