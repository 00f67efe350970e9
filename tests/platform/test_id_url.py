"""web.id_url: the addresses of a page's many ids, built from one url_for (issue 19), are the ones
url_for gives for every id, in a path and in the query string, and behind a script root."""
from __future__ import annotations

import pytest
from flask import url_for

from caseflow.validation import MAX_ID
from caseflow.web import id_url

IDS = (1, 7, 42, 1000, 99999, MAX_ID - 2, MAX_ID)


@pytest.mark.parametrize("script_root", ["", "/caseflow"])
def test_one_id_in_the_path(app, script_root):
    with app.test_request_context(base_url=f"http://localhost{script_root}"):
        url = id_url("participants.case_file", "participant_id")
        for pid in IDS:
            assert url(pid) == url_for("participants.case_file", participant_id=pid)


@pytest.mark.parametrize("script_root", ["", "/caseflow"])
def test_two_ids_in_the_path_and_the_query(app, script_root):
    with app.test_request_context(base_url=f"http://localhost{script_root}"):
        url = id_url("placements.new_follow_up", "participant_id", "task")
        backwards = id_url("placements.new_follow_up", "task", "participant_id")  # not the address's order
        for pid in IDS:
            for task in IDS:
                expected = url_for("placements.new_follow_up", participant_id=pid, task=task)
                assert url(pid, task) == expected
                assert backwards(task, pid) == expected


def test_fixed_values_and_the_wrong_number_of_ids(app):
    with app.test_request_context():
        url = id_url("participants.case_file_section", "participant_id", section="timeline")
        assert url(5) == url_for("participants.case_file_section", participant_id=5, section="timeline")
        with pytest.raises(TypeError):
            url(5, 6)


def test_an_address_that_does_not_hold_the_id_once_falls_back_to_url_for(app):
    """When the probe's digits occur in the address more than once (here another argument holds the
    same number), the id is not joined into a template but asked of url_for each time."""
    with app.test_request_context():
        url = id_url("participants.case_file", "participant_id", kind=MAX_ID)
        for pid in (5, MAX_ID):
            assert url(pid) == url_for("participants.case_file", participant_id=pid, kind=MAX_ID)
        assert url(5).count(str(MAX_ID)) == 1
        with pytest.raises(TypeError):  # as the joined addresses
            url(5, 6)


def test_templates_url_for_remembers_only_what_depends_on_nothing_else(app):
    """The templates' url_for (web.template_url_for) gives Flask's address for every endpoint that
    takes no values and for static files, asked twice (the second from memory), behind two script
    roots one after the other; values, external addresses and anchors go to Flask."""
    from caseflow.web import template_url_for
    assert app.jinja_env.globals["url_for"] is template_url_for
    fixed = [rule.endpoint for rule in app.url_map.iter_rules()
             if not rule.arguments and "GET" in rule.methods and rule.endpoint != "static"]
    assert len(fixed) > 30
    for script_root in ("", "/caseflow", ""):
        with app.test_request_context(base_url=f"http://localhost{script_root}"):
            for _twice in range(2):
                for endpoint in fixed:
                    assert template_url_for(endpoint) == url_for(endpoint), (script_root, endpoint)
                assert (template_url_for("static", filename="css/caseflow.css")
                        == url_for("static", filename="css/caseflow.css")
                        == f"{script_root}/static/css/caseflow.css")
                assert template_url_for("participants.caseload").startswith(f"{script_root}/")
                assert (template_url_for("participants.case_file", participant_id=7)
                        == url_for("participants.case_file", participant_id=7))
                assert template_url_for("accounts.login", _external=True) == f"http://localhost{script_root}/login"
                assert template_url_for("accounts.login", _anchor="x") == f"{script_root}/login#x"
