"""German (default) and English: the browser's choice, the language switch, locale formatting."""
from __future__ import annotations

from datetime import date

from flask_babel import force_locale, refresh

from tests.accounts.conftest import csrf_from, post_login
from tests.conftest import PASSWORD


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_german_is_the_default(client):
    page = client.get("/login")
    assert '<html lang="de">' in _text(page)
    assert "Bei Caseflow anmelden" in _text(page)
    assert "Zum Inhalt springen" in _text(page)


def test_browser_language_is_honoured(client):
    english = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in _text(english)
    assert "Log in to Caseflow" in _text(english) and "Skip to content" in _text(english)
    german = client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    assert "Bei Caseflow anmelden" in _text(german)
    unknown = client.get("/login", headers={"Accept-Language": "fr-FR"})
    assert "Bei Caseflow anmelden" in _text(unknown)


def test_language_switch_is_a_post_that_sticks(client):
    token = csrf_from(client, "/login")
    response = client.post("/language", data={"lang": "en", "next": "/login", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    page = client.get("/login", headers={"Accept-Language": "de"})
    assert "Log in to Caseflow" in _text(page)  # the explicit choice beats the browser's
    assert client.get("/language").status_code == 405


def test_language_switch_refuses_foreign_redirects_and_unknown_languages(client):
    token = csrf_from(client, "/login")
    response = client.post("/language", data={"lang": "en", "next": "https://evil.example/", "csrf_token": token})
    assert response.headers["Location"] in ("/", "http://localhost/")
    client.post("/language", data={"lang": "xx", "next": "/login", "csrf_token": token})
    assert "Log in to Caseflow" in _text(client.get("/login"))


def test_language_switch_without_csrf_is_refused(client):
    client.get("/login")
    assert client.post("/language", data={"lang": "en", "next": "/login"}).status_code == 400
    assert "Bei Caseflow anmelden" in _text(client.get("/login"))


def test_signed_in_pages_in_both_languages_and_the_choice_is_remembered(app, client, counsellor):
    post_login(client, counsellor.email, PASSWORD)
    german = _text(client.get("/account"))
    assert "Mein Konto" in german and "Passwort ändern" in german and "Berater*in" in german
    token = csrf_from(client, "/account")
    client.post("/language", data={"lang": "en", "next": "/account", "csrf_token": token})
    english = _text(client.get("/account"))
    assert "My account" in english and "Change password" in english and "counsellor" in english
    # Kept with the account: a new login on another browser starts in English.
    other = app.test_client()
    post_login(other, counsellor.email, PASSWORD)
    assert "My account" in _text(other.get("/account", headers={"Accept-Language": "de"}))


def test_error_messages_in_both_languages(client, counsellor):
    german = post_login(client, counsellor.email, "Wrong-Password-Entirely-99")
    assert "E-Mail-Adresse oder Passwort ist nicht korrekt." in _text(german)
    english = post_login(client, counsellor.email, "Wrong-Password-Entirely-99", headers={"Accept-Language": "en"})
    assert "Email or password is not correct." in _text(english)
    assert "Seite nicht gefunden" in _text(client.get("/nowhere"))
    assert "Page not found" in _text(client.get("/nowhere", headers={"Accept-Language": "en"}))


def test_dates_and_numbers_follow_the_locale(app):
    date_filter, number_filter = app.jinja_env.filters["date"], app.jinja_env.filters["number"]
    # The test's app context is shared by these request contexts: forget the cached locale each time.
    with app.test_request_context(headers={"Accept-Language": "de"}):
        refresh()
        assert date_filter(date(2026, 3, 1)) == "01.03.2026"
        assert number_filter(12345.5, 1) == "12.345,5"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refresh()
        assert date_filter(date(2026, 3, 1)) == "Mar 1, 2026"
        assert number_filter(12345.5, 1) == "12,345.5"
    with app.test_request_context(), force_locale("de"):
        assert app.jinja_env.filters["country"]("SY") == "Syrien"


def test_german_uses_one_gender_inclusive_spelling():
    """Issue 15: one spelling throughout (the asterisk: Berater*innen), never a colon or an underscore."""
    import re
    from pathlib import Path

    from babel.messages.pofile import read_po

    other = re.compile(r"[A-Za-zäöüß]{3,}[:_](?:in|innen)\b")
    found = []
    for po in Path("caseflow").glob("**/translations/de/LC_MESSAGES/messages.po"):
        with po.open("rb") as handle:
            for message in read_po(handle):
                for text in (message.string if isinstance(message.string, tuple) else (message.string,)):
                    found += [f"{po}: {hit}" for hit in other.findall(text or "")]
    assert found == []
