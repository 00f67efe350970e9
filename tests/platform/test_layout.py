"""The base layout: skip link, signed-in account and organisation, navigation by role."""
from __future__ import annotations

from tests.accounts.conftest import post_login
from tests.conftest import PASSWORD


def _page(app, user, path="/account") -> str:
    client = app.test_client()
    assert post_login(client, user.email, PASSWORD).status_code == 302
    return client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_layout_shows_who_is_signed_in(app, counsellor):
    html = _page(app, counsellor)
    assert 'class="skip-link" href="#main"' in html and 'id="main"' in html
    assert "Aylin Demir" in html and "Kiezwerk Neukölln e.V." in html and " · Counsellor</span>" in html
    assert 'action="/logout"' in html and 'action="/language"' in html


def test_navigation_follows_the_role(app, counsellor, admin, analyst):
    caseworker = _page(app, counsellor)
    assert 'href="/caseload"' in caseworker and 'href="/admin"' not in caseworker
    administrator = _page(app, admin)
    assert 'href="/admin"' in administrator and 'href="/caseload"' not in administrator
    reader = _page(app, analyst)
    assert 'href="/reports/"' in reader
    assert 'href="/caseload"' not in reader and 'href="/admin"' not in reader


def test_no_inline_script_or_third_party_assets(app, counsellor):
    import re
    html = _page(app, counsellor)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline <script>
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing from other hosts
