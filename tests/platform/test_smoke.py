def test_counsellor_logs_in_and_lands_on_caseload(client, auth, counsellor):
    response = auth.login(counsellor)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/caseload")
    page = client.get("/caseload")
    assert page.status_code == 200
    assert "Aylin Demir" in page.get_data(as_text=True)


def test_api_me(api_as, counsellor):
    response = api_as(counsellor).get("/me")
    assert response.status_code == 200
    assert response.json["email"] == counsellor.email
