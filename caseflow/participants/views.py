from flask import Blueprint, render_template

from caseflow.accounts.auth import casework_required

bp = Blueprint("participants", __name__)


@bp.route("/caseload")
@casework_required
def caseload():
    return render_template("participants/caseload.html")
