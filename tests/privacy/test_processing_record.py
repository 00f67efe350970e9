"""The record of processing (GDPR Art. 30) follows the configuration and the schema."""
from __future__ import annotations


def test_generated_from_configuration(app, client, auth, team_lead):
    app.config["RETENTION_YEARS"] = 7
    try:
        auth.login(team_lead)
        client.post("/language", data={"lang": "en", "csrf_token": auth.csrf_token("/account")})
        html = client.get("/privacy/record-of-processing").get_data(as_text=True)
    finally:
        app.config["RETENTION_YEARS"] = 10
    assert "7 years after the final exit" in html
    assert f"{app.config['SESSION_IDLE_TIMEOUT'].seconds // 60} minutes without activity" in html
    assert f"time cost {app.config['ARGON2_TIME_COST']}" in html
    # Categories come from the schema, with the special categories named.
    assert "Foreign qualifications" in html and "Consents" in html
    assert "disability" in html and "special categories (GDPR Art. 9)" in html
    assert "analyst" in html and "never a name or a case file" in html


def test_roles(client, auth, counsellor, analyst, admin):
    auth.login(counsellor)
    assert client.get("/privacy/record-of-processing").status_code == 403
    auth.logout()
    auth.login(analyst)
    assert client.get("/privacy/record-of-processing").status_code == 403
    auth.logout()
    auth.login(admin)
    assert client.get("/privacy/record-of-processing").status_code == 200
