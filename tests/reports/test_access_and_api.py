"""Who sees what, through the API and the pages; the API shapes and errors."""
from __future__ import annotations

from datetime import date

import pytest

from caseflow.reports import queries as q

ESF = "/reports/esf?from=2024-01-01&to=2024-12-31"


@pytest.fixture
def two_organisations(history, other_history):
    p = history.participant(entry_date=date(2024, 3, 1), first_name="Leyla", last_name="Karimi")
    history.exit(p, date(2024, 6, 1))
    for _ in range(3):
        other_history.participant(entry_date=date(2024, 3, 1), first_name="Omar", last_name="Farouk")


def test_esf_api_shape_with_every_key_and_zeros(api_as, team_lead):
    response = api_as(team_lead).get(ESF)
    assert response.status_code == 200
    body = response.json
    assert set(body) >= {"from", "to", "ltu_rule", "outputs", "results"}
    assert (body["from"], body["to"], body["ltu_rule"]) == ("2024-01-01", "2024-12-31", "eu")
    assert set(body["outputs"]) == set(q.OUTPUT_KEYS) and set(body["results"]) == set(q.RESULT_KEYS)
    for section in ("outputs", "results"):
        for value in body[section].values():
            assert value == {"female": 0, "male": 0, "non_binary": 0, "total": 0}


def test_esf_api_rule_option_and_setting(api_as, team_lead, app):
    assert api_as(team_lead).get(ESF + "&ltu_rule=de").json["ltu_rule"] == "de"
    app.config["ESF_LTU_RULE"] = "de"
    try:
        assert api_as(team_lead).get(ESF).json["ltu_rule"] == "de"
    finally:
        app.config["ESF_LTU_RULE"] = "eu"


@pytest.mark.parametrize("query, field", [
    ("from=2024-02-30&to=2024-12-31", "from"),
    ("from=2024-01-01&to=31.12.2024", "to"),
    ("from=2024-12-31&to=2024-01-01", "to"),
    ("to=2024-12-31", "from"),
    ("from=2024-01-01&to=2024-12-31&ltu_rule=fr", "ltu_rule"),
    ("from=2024-01-01&to=2024-12-31&organisation_id=abc", "organisation_id"),
])
def test_esf_api_bad_parameters_are_422(api_as, team_lead, query, field):
    response = api_as(team_lead).get("/reports/esf?" + query)
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]


def test_casework_reports_cover_their_own_organisation_only(api_as, team_lead, counsellor, other_org,
                                                            org, two_organisations):
    for user in (team_lead, counsellor):
        assert api_as(user).get(ESF).json["outputs"]["total"]["total"] == 1
        assert api_as(user).get(ESF + f"&organisation_id={org.id}").status_code == 200
        response = api_as(user).get(ESF + f"&organisation_id={other_org.id}")
        assert response.status_code == 404
        placements = api_as(user).get(f"/reports/placements?from=2024-01-01&to=2024-12-31&organisation_id={other_org.id}")
        assert placements.status_code == 404


def test_analysts_and_admins_see_all_organisations_or_one(api_as, analyst, admin, other_org, two_organisations):
    for user in (analyst, admin):
        assert api_as(user).get(ESF).json["outputs"]["total"]["total"] == 4
        assert api_as(user).get(ESF + f"&organisation_id={other_org.id}").json["outputs"]["total"]["total"] == 3
        assert api_as(user).get(ESF + "&organisation_id=999999").status_code == 404


def test_esf_is_exact_for_analysts(api_as, analyst, two_organisations):
    body = api_as(analyst).get(ESF).json
    assert body["results"]["employed_upon_leaving"]["total"] == 0
    assert body["outputs"]["unemployed"]["female"] == 4  # small numbers are not hidden in the ESF report


def test_placements_api(api_as, analyst, team_lead, two_organisations):
    response = api_as(analyst).get("/reports/placements?from=2024-01-01&to=2024-12-31&group_by=gender,organisation")
    assert response.status_code == 200
    body = response.json
    assert set(body["breakdowns"]) == {"gender", "organisation"}
    assert body["small_cell_threshold"] == 5
    [female] = body["breakdowns"]["gender"]
    assert female.pop("label") in ("female", "weiblich")
    assert female == {"key": "female", "suppressed": True, "participants": None, "entered": None, "exited": None,
                      "placed_exits": None, "placement_rate": None}
    assert body["summary"]["participants_active"] == 4
    assert "Leyla" not in response.get_data(as_text=True)
    assert api_as(analyst).get("/reports/placements?from=2024-01-01&to=2024-12-31&group_by=shoe_size").status_code == 422
    assert api_as(team_lead).get("/reports/placements?from=2024-01-01&to=2024-12-31&measure_type=x").status_code == 422
    exact = api_as(team_lead).get("/reports/placements?from=2024-01-01&to=2024-12-31&group_by=gender").json
    assert exact["breakdowns"]["gender"][0]["participants"] == 1


def test_completeness_api_is_for_casework_only(api_as, analyst, team_lead, two_organisations):
    assert api_as(analyst).get("/reports/completeness").status_code == 403
    body = api_as(team_lead).get("/reports/completeness").json
    assert body["total"] == 1  # exited long ago: no 4-week status and no six-month follow-up either
    assert body["items"][0]["issues"] == ["no_isced", "no_four_week_status", "follow_up_overdue"]


def test_reports_need_a_token(client):
    assert client.get("/api/v1" + ESF).status_code == 401


def test_openapi_documents_the_reports(client):
    doc = client.get("/api/v1/openapi.json").json
    assert {"/reports/esf", "/reports/placements", "/reports/completeness"} <= set(doc["paths"])
    schemas = doc["components"]["schemas"]
    outputs = schemas["EsfReport"]["properties"]["outputs"]["$ref"].rsplit("/", 1)[1]
    assert set(schemas[outputs]["required"]) == set(q.OUTPUT_KEYS)
    assert "suppressed" in schemas["PlacementGroup"]["required"]


# --- pages ----------------------------------------------------------------------------------------

def test_team_lead_page_links_figures_to_names(client, auth, team_lead, two_organisations):
    auth.login(team_lead)
    html = client.get("/reports" + ESF.removeprefix("/reports")).get_data(as_text=True)
    assert "/reports/esf/participants?" in html
    assert 'data-indicator="long_term_unemployed"' in html and "18 SGB III" in html  # the row, and its rule in words
    listing = client.get("/reports/esf/participants?from=2024-01-01&to=2024-12-31&indicator=total&gender=female")
    assert listing.status_code == 200
    text = listing.get_data(as_text=True)
    assert "Leyla" in text and "Omar" not in text


def test_analyst_page_has_no_names_and_no_drilldown(client, auth, analyst, two_organisations):
    auth.login(analyst)
    page = client.get(ESF)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/reports/esf/participants" not in html and "Leyla" not in html
    assert client.get("/reports/esf/participants?from=2024-01-01&to=2024-12-31&indicator=total&gender=total").status_code == 403
    assert client.get("/reports/completeness").status_code == 403
    placements = client.get("/reports/placements?from=2024-01-01&to=2024-12-31").get_data(as_text=True)
    assert "&lt; 5" in placements and "Leyla" not in placements and "Omar" not in placements


def test_page_shows_bad_parameters_next_to_the_field(client, auth, team_lead):
    auth.login(team_lead)
    page = client.get("/reports/esf?from=2024-12-31&to=2024-01-01")
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert 'id="to-error"' in html
    other = client.get("/reports/placements?from=2024-13-01&to=2024-12-31")
    assert other.status_code == 422 and 'id="from-error"' in other.get_data(as_text=True)


def test_other_organisation_on_a_page_is_404(client, auth, team_lead, other_org):
    auth.login(team_lead)
    assert client.get(ESF + f"&organisation_id={other_org.id}").status_code == 404


def test_charts_are_accessible_svg_with_the_numbers_in_a_table(client, auth, team_lead, two_organisations):
    auth.login(team_lead)
    html = client.get(ESF).get_data(as_text=True)
    assert '<svg class="chart" role="img" aria-labelledby=' in html
    assert "<title id=" in html and "<desc id=" in html
    assert '<table class="stack">' in html and '<tr data-indicator="total">' in html  # the chart's numbers
    placements = client.get("/reports/placements?from=2024-01-01&to=2024-12-31").get_data(as_text=True)
    assert placements.count('role="img"') == 2


def test_drilldown_page_runs_a_constant_number_of_queries(client, auth, team_lead, history, count_queries):
    auth.login(team_lead)
    url = "/reports/esf/participants?from=2024-01-01&to=2024-12-31&indicator=unemployed&gender=total"
    history.participant(entry_date=date(2024, 3, 1))
    with count_queries() as few:
        client.get(url)
    for _ in range(12):
        history.participant(entry_date=date(2024, 3, 1))
    with count_queries() as many:
        client.get(url)
    assert few.count == many.count
