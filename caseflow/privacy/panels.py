"""The "Data protection" panel of the case file: consent status at a glance, the restriction, and
the links to consents, export, restriction and anonymisation."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from caseflow.privacy.services import consent_rows, consent_status, consents_of


def withdrawn_consents(consents: Sequence[Any]) -> dict[str, Any]:
    """{purpose: the latest withdrawn consent} for the purposes with no valid consent left
    (`consents`: Consents, or their plain rows; the answer holds the same kind)."""
    status = consent_status(consents)
    withdrawn: dict[str, Any] = {}
    for c in sorted(consents, key=lambda c: (c.withdrawn_on or c.given_on, c.id)):
        if c.withdrawn_on is not None and status.get(c.purpose) is None:
            withdrawn[c.purpose] = c
    return withdrawn


def data_protection_panel(participant, actor):
    consents = consents_of(participant)
    # The case file passes `participant` to every panel itself.
    return {"consent_status": consent_status(consents), "withdrawn_consents": withdrawn_consents(consents),
            "may_lead": getattr(actor, "role", None) == "team_lead"}


def consent_summary(participant):
    """The case file's summary header: is there consent to case management (the consent every
    record of the case needs)? Without it the header says so at the top."""
    from flask import url_for
    from flask_babel import format_date

    from caseflow.participants.panels import SummaryFact
    from caseflow.translation import gettext as _

    if participant.anonymised_at is not None:
        return []
    consents = consent_rows(participant)
    status = consent_status(consents)
    given = status.get("case_management")
    special = status.get("special_categories")
    url = url_for("participants.case_file_section", participant_id=participant.id, section="data-protection")
    facts = []
    if given is None:
        facts.append(SummaryFact("consent", _("Consent"), _("missing"), warn=True, url=url,
                                 alert=_("No consent to case management is recorded. Record it before adding "
                                         "further data.")))
    else:
        value = _("given") if special is None else _("given, including special categories")
        facts.append(SummaryFact("consent", _("Consent"), value, url=url))
    # Special categories (disability, minority) held without a live consent to them in the data
    # protection records: e.g. typed with a date only, carried over by a referral or an import, or
    # the consent was recorded wrongly. The data needs that consent, so the case says so at the top.
    if special is None and "yes" in (participant.disability, participant.minority):
        facts.append(SummaryFact(
            "special_categories_consent", _("Special categories"), _("consent not recorded"), warn=True,
            url=url, alert=_("Disability or minority is recorded, but no consent to special categories is "
                             "on record under data protection. Record the consent or remove the data.")))
    funder = withdrawn_consents(consents).get("funder_reporting")
    if funder is not None:
        # issue 17, item 6: what the withdrawal does, where the counsellor looks first
        facts.append(SummaryFact("funder_reporting", _("Reporting to funders"),
                                 _("withdrawn on %(date)s: left out of participant-level exports",
                                   date=format_date(funder.withdrawn_on)), warn=True, url=url))
    return facts
