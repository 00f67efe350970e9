"""German (default) and English: the browser's choice, the language switch, locale formatting."""
from __future__ import annotations

from datetime import UTC, date, datetime

import flask_babel
import pytest
from flask import render_template_string
from flask_babel import format_date, refresh

from caseflow import i18n
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
    assert "My account" in english and "Change password" in english and "Counsellor" in english
    # Kept with the account: a new login on another browser starts in English.
    other = app.test_client()
    post_login(other, counsellor.email, PASSWORD)
    assert "My account" in _text(other.get("/account", headers={"Accept-Language": "de"}))


def _whoami(response) -> str:
    return _text(response).split('class="whoami"')[1].split("</span>")[0]


@pytest.mark.parametrize("role, german, english", [
    ("counsellor", "Berater*in", "Counsellor"), ("team_lead", "Teamleitung", "Team lead"),
    ("analyst", "Analyst*in", "Analyst"), ("admin", "Administrator*in", "Administrator")])
def test_the_header_names_the_role_as_a_label_in_both_languages(request, client, role, german, english):
    """The page header ends with the signed-in user's role: a label ('Team lead'), not the lower
    case of a word inside a sentence (browser review); German keeps its own words."""
    user = request.getfixturevalue(role)
    post_login(client, user.email, PASSWORD)
    assert _whoami(client.get("/account", headers={"Accept-Language": "de"})).endswith(f" · {german}")
    assert _whoami(client.get("/account", headers={"Accept-Language": "en"})).endswith(f" · {english}")


def test_error_messages_in_both_languages(client, counsellor):
    german = post_login(client, counsellor.email, "Wrong-Password-Entirely-99")
    assert "E-Mail-Adresse oder Passwort ist nicht korrekt." in _text(german)
    english = post_login(client, counsellor.email, "Wrong-Password-Entirely-99", headers={"Accept-Language": "en"})
    assert "Email or password is not correct." in _text(english)
    assert "Seite nicht gefunden" in _text(client.get("/nowhere"))
    assert "Page not found" in _text(client.get("/nowhere", headers={"Accept-Language": "en"}))


FORMATTING = "{{ d|date }}|{{ d|date('short') }}|{{ n|number(1) }}|{{ n|number(0) }}|{{ r|percent }}|{{ 'SY'|country }}"


@pytest.mark.parametrize("language, expected", [
    ("de", "01.03.2026|01.03.26|12.345,5|12.346|12,5 %|Syrien"),
    ("en", "Mar 1, 2026|3/1/26|12,345.5|12,346|12.5 %|Syria"),
])
def test_dates_and_numbers_follow_the_locale(app, monkeypatch, language, expected):
    """Dates, numbers and country names in the reader's language. A page's template looks the
    locale up once per render (the context processor binds it, issue 19), not once per value; a
    template rendered without the context processor asks Flask-Babel each time, with the same text."""
    values = {"d": date(2026, 3, 1), "n": 12345.5, "r": 0.125}
    with app.test_request_context(headers={"Accept-Language": language}):
        refresh()
        assert app.jinja_env.from_string(FORMATTING).render(**values) == expected  # no context processor
        lookups = []
        real = i18n.get_locale
        monkeypatch.setattr(i18n, "get_locale", lambda: lookups.append(1) or real())
        page = render_template_string(FORMATTING + "{% for i in range(100) %}{{ d|date }}{{ n|number(1) }}{% endfor %}",
                                      **values)
        assert page.startswith(expected)
        assert page.count(expected.split("|")[0]) == 101 and page.count(expected.split("|")[2]) == 101
        assert len(lookups) == 1


# Every form a template translates with: _(), gettext() with a value, ngettext() in the singular and
# the plural (`num` filled in by itself), a trans block, and a value with markup (escaped).
TRANSLATING = ('{{ _("Save") }}|{% trans %}Save{% endtrans %}|{{ gettext("no contact for %(days)s days", days=3) }}|'
               '{{ ngettext("%(num)s case", "%(num)s cases", 1) }}|{{ ngettext("%(num)s case", "%(num)s cases", 2) }}|'
               '{{ _("Processing has been restricted since %(date)s: %(reason)s", date="1.2.", reason=why) }}')


@pytest.mark.parametrize("language, expected", [
    ("de", "Speichern|Speichern|seit 3 Tagen kein Kontakt|1 Fall|2 Fälle|"),
    ("en", "Save|Save|no contact for 3 days|1 case|2 cases|"),
])
def test_templates_translate_with_the_catalogue_bound_once_per_render(app, monkeypatch, language, expected):
    """Issue 19: a page's template looks the request's catalogue up once per render (a context
    processor binds gettext and ngettext), not once per string as Flask-Babel's template callables
    do; the text is exactly what those callables give, markup in values escaped."""
    with app.test_request_context(headers={"Accept-Language": language}):
        refresh()
        unbound = app.jinja_env.from_string(TRANSLATING).render(why="<b>reason</b>")  # Flask-Babel's callables
        lookups = []
        real = flask_babel.Domain.get_translations
        monkeypatch.setattr(flask_babel.Domain, "get_translations",
                            lambda self: lookups.append(1) or real(self))
        bound = render_template_string(TRANSLATING + "{% for i in range(100) %}{{ _('Save') }}{% endfor %}",
                                       why="<b>reason</b>")
    assert bound.startswith(unbound) and unbound.startswith(expected)
    assert "&lt;b&gt;reason&lt;/b&gt;" in unbound
    assert len(lookups) == 1, "the catalogue is looked up once per render, not once per string"


def test_the_date_filter_gives_what_flask_babel_gives(app):
    """The `date` filter parses each language's formats once per process and remembers a day's text
    per language and format (issue 19): the same text as Flask-Babel's format_date for every named
    format and a pattern, asked twice, in both languages one after the other (a text remembered in
    one language is never given in the other), and a datetime is still shown on its day in the
    reader's time zone (Europe/Berlin)."""
    date_filter = _as_pages_use_it(app, "date")
    late = datetime(2026, 3, 4, 23, 30, tzinfo=UTC)  # already 5 March in Berlin
    for language in ("de", "en"):
        with app.test_request_context(headers={"Accept-Language": language}):
            refresh()
            for _asked in range(2):  # the second time from the remembered texts
                for value in (date(2026, 3, 4), date(1999, 12, 31), late):
                    for fmt in ("short", "medium", "long", "full", "MMMM yyyy"):
                        assert date_filter(value, fmt) == format_date(value, fmt), (language, value, fmt)
            assert date_filter(None) == ""
    with app.test_request_context(headers={"Accept-Language": "de"}):
        refresh()
        assert date_filter(late) == "05.03.2026" and date_filter(date(2026, 3, 4), "long") == "4. März 2026"


def _as_pages_use_it(app, name: str):
    """The template filter `name` as a function: applied in a page's template (the render's locale
    bound by the context processor), after checking that a template rendered without the context
    processor (Flask-Babel's locale) gives the same text."""
    source = "{{ value|" + name + "(*args) }}"

    def apply(value, *args) -> str:
        text = render_template_string(source, value=value, args=args)
        assert app.jinja_env.from_string(source).render(value=value, args=args) == text
        return text
    return apply


def test_the_number_filters_give_what_flask_babel_gives(app):
    """The `number` and `percent` filters remember a number's text per language (issue 19): the
    same text as Flask-Babel's format_decimal and format_percent, asked twice (the second from
    memory), in both languages and after each other; -0.0 keeps its sign though it equals 0.0."""
    from decimal import Decimal

    from flask_babel import format_decimal, format_percent
    number, percent = _as_pages_use_it(app, "number"), _as_pages_use_it(app, "percent")
    values = (0, -0.0, 0.0, 1, 7, 1234567, -42, 0.5, 0.12345, 2 / 3, 12345.5, Decimal("1.50"), Decimal("-0"))
    for language in ("de", "en", "de"):
        with app.test_request_context(headers={"Accept-Language": language}):
            refresh()
            for _twice in range(2):
                for value in values:
                    assert number(value) == format_decimal(value), (language, value)
                    assert number(value, 2) == format_decimal(value, format="#,##0.00"), (language, value)
                    assert number(value, 0) == format_decimal(value, format="#,##0"), (language, value)
                    assert percent(value) == format_percent(value, format="#,##0.0 %"), (language, value)
            assert number(None) == "" and percent(None) == ""
            assert number(-0.0) == "-0" and number(0.0) == "0"
            assert number(1234567) == ("1.234.567" if language == "de" else "1,234,567")


def test_wtforms_messages_in_the_readers_language_from_a_catalogue_loaded_once(app, monkeypatch):
    """WTForms' own messages (and the label of a field without one, such as the CSRF token's) come
    in the reader's language from a catalogue loaded once per process and language (issue 19), not
    read from disk again by every request that builds a form."""
    from babel import support
    from flask_wtf import FlaskForm
    from wtforms import StringField
    from wtforms.validators import DataRequired

    from caseflow import i18n

    class Form(FlaskForm):
        name = StringField(validators=[DataRequired()])

    loads = []
    real = support.Translations.load
    monkeypatch.setattr(support.Translations, "load", lambda *a, **k: loads.append(a) or real(*a, **k))
    i18n._wtforms_catalogue.cache_clear()
    seen = {}
    for language in ("de", "de", "en"):
        with app.test_request_context("/login", headers={"Accept-Language": language}):
            refresh()
            app.preprocess_request()
            form = Form(meta={"csrf": False})
            form.validate()
            seen.setdefault(language, []).append(form.name.errors)
    assert seen == {"de": [["Dieses Feld wird benötigt."]] * 2, "en": [["This field is required."]]}
    assert len(loads) == 2, "one load per language, not one per request"


def test_lazy_labels_give_what_flask_babel_gives_and_follow_a_forced_locale(app, monkeypatch):
    """A lazily translated label (caseflow.translation, issue 19) is Flask-Babel's `gettext` of its
    text: in both languages, with placeholders, outside a request, and inside `force_locale` (a mail
    in its recipient's language) and after it; the catalogue is looked up once per request and
    locale, not once per label."""
    from flask_babel import force_locale
    from flask_babel import gettext as babel_gettext

    from caseflow.translation import lazy_gettext

    save, welcome = lazy_gettext("Save"), lazy_gettext("%(hours)s h", hours="3")
    assert str(save) == babel_gettext("Save")  # no request: the default language, as Flask-Babel gives it
    lookups = []
    real = flask_babel.Domain.get_translations
    monkeypatch.setattr(flask_babel.Domain, "get_translations", lambda self: lookups.append(1) or real(self))
    for language, saved in (("de", "Speichern"), ("en", "Save"), ("de", "Speichern")):
        with app.test_request_context(headers={"Accept-Language": language}):
            refresh()  # the fixture's app context outlives each request context (a server's does not)
            lookups.clear()
            for _twice in range(50):
                assert str(save) == babel_gettext("Save") == saved
                assert str(welcome) == babel_gettext("%(hours)s h", hours="3")
            from_labels = len(lookups) - 50 * 2  # Flask-Babel's own gettext looks up every time
            assert from_labels <= 2, f"{from_labels} lookups for 100 labels"
            other = "en" if language == "de" else "de"
            with force_locale(other):
                assert str(save) == babel_gettext("Save") != saved
            assert str(save) == saved, "after the forced locale, the request's language again"


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


def test_german_names_a_counsellor_one_way():
    """A counsellor is "Berater*in" everywhere in German (the role, the case's column, the board, the
    reports), never also "Integrationsbegleitung", "Begleiter*in" or "Fachkraft" for the same person."""
    from pathlib import Path

    from babel.messages.pofile import read_po

    wrong, unnamed = [], []
    for po in Path("caseflow").glob("**/translations/de/LC_MESSAGES/messages.po"):
        with po.open("rb") as handle:
            for message in read_po(handle):
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                texts = message.string if isinstance(message.string, tuple) else (message.string,)
                for text in texts:
                    if any(word in (text or "") for word in ("Integrationsbegleit", "Begleiter*", "Fachkraft Ihrer")):
                        wrong.append(f"{po}: {text}")
                if any("counsellor" in (i or "").lower() for i in ids) and not all("Berater*in" in (t or "") for t in texts):
                    unnamed.append(f"{po}: {ids[0]} → {texts[0]}")
    assert wrong == []
    assert unnamed == []
