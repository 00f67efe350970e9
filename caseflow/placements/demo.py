"""Demo data of the outcomes domain (a step of caseflow.demo.generate, after participants and
measures): placements at Berlin employers with the status changes they imply, exits (about 60 % of
the participants who entered more than four months ago) closing their open enrolments and creating
the follow-up tasks, a few re-entries, certificates from finished qualifying measures, 4-week checks
and six-month follow-ups (some could not be reached: `unknown`). Everything follows the dates and
the status history. Bulk Core inserts; the same seed gives the same data.

Reads ctx.participant_rows (ids of this run; the rest is read from the database in one query so
that it does not depend on the row format) and ctx.extra["enrolment_rows"] of the measures step.
"""
from __future__ import annotations

import bisect
from collections import namedtuple
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from caseflow.demo_context import DemoContext, insert_rows, next_id, update_rows
from caseflow.extensions import db
from caseflow.measures.models import Employer, Enrolment
from caseflow.participants.models import Participant, StatusChange, Task
from caseflow.placements.models import Certificate, Exit, FollowUp, Placement, ReEntry
from caseflow.placements.services import add_months
from caseflow.vocabulary import PLACEMENT_STATUS

BERLIN_EMPLOYERS = (
    "Kiezbäckerei Sonnenallee GmbH", "Pflegedienst Spreebogen gGmbH", "Hotel Alexanderplatz Mitte GmbH",
    "Spreewerk Elektrotechnik GmbH", "Logistikzentrum Tempelhof GmbH", "Café Wrangelkiez UG",
    "Gebäudereinigung Blitzblank Berlin GmbH", "Kita Regenbogen Wedding e.V.", "Softwarehaus Friedrichshain GmbH",
    "Klinikum am Urban (Demo) gGmbH", "Metallbau Marzahn GmbH & Co. KG", "Supermarkt Hermannplatz OHG",
    "BVG-Partnerbetrieb Busreisen Spandau GmbH", "Steuerkanzlei Moabit Partnerschaft", "Zahnarztpraxis Kreuzberg",
    "Malerbetrieb Lichtenberg e.K.",
)
JOBS = {  # type -> (job title, occupation)
    "employment": (("Pflegehilfskraft", "Altenpflegehelfer/in"), ("Lagermitarbeiter", "Fachkraft für Lagerlogistik"),
                   ("Elektroniker", "Elektroniker/in für Energie- und Gebäudetechnik"),
                   ("Küchenhilfe", "Koch/Köchin"), ("Softwareentwicklerin", "Fachinformatiker/in"),
                   ("Buchhalter", "Buchhalter/in"), ("Busfahrer", "Berufskraftfahrer/in"),
                   ("Erzieherin", "Erzieher/in"), ("Reinigungskraft", "Gebäudereiniger/in"),
                   ("Zahnmedizinische Fachangestellte", "Zahnmedizinische/r Fachangestellte/r"),
                   ("Bauingenieurin", "Bauingenieur/in"), ("Verkäuferin", "Verkäufer/in")),
    "marginal_employment": (("Aushilfe im Verkauf", "Verkäufer/in"), ("Servicekraft", "Restaurantfachmann/-frau"),
                            ("Reinigungskraft (Minijob)", "Gebäudereiniger/in")),
    "apprenticeship": (("Auszubildende Kauffrau für Büromanagement", "Kaufmann/-frau für Büromanagement"),
                       ("Auszubildender Elektroniker", "Elektroniker/in"),
                       ("Auszubildende Pflegefachfrau", "Pflegefachmann/-frau"),
                       ("Auszubildender Anlagenmechaniker SHK", "Anlagenmechaniker/in SHK")),
    "self_employment": (("Inhaberin einer Schneiderei", "Maßschneider/in"), ("Übersetzer", "Übersetzer/in"),
                        ("Inhaber eines Cateringbetriebs", "Koch/Köchin"), ("IT-Dienstleisterin", "Fachinformatiker/in")),
    "internship": (("Praktikantin Pflege", "Pflegefachmann/-frau"), ("Praktikant Metallbau", "Metallbauer/in"),
                   ("Praktikantin Büro", "Kaufmann/-frau für Büromanagement")),
}
TYPE_WEIGHTS = (("employment", 50), ("marginal_employment", 12), ("apprenticeship", 12),
                ("self_employment", 8), ("internship", 18))
HOURS = {"employment": (20, 40), "marginal_employment": (6, 12), "apprenticeship": (38, 40),
         "self_employment": (30, 50), "internship": (20, 40)}
CERTIFICATES = {
    "language_course": (("telc Deutsch B1·B2 Beruf", "telc gGmbH"), ("Deutsch-Test für den Beruf B2", "BAMF"),
                        ("Goethe-Zertifikat C1", "Goethe-Institut")),
    "low_threshold_qualification": (("Zertifikat Holzbearbeitung", "Handwerkskammer Berlin"),
                                    ("Schweißerprüfung nach DIN EN ISO 9606-1", "DVS Berlin"),
                                    ("Qualifizierungsbaustein Elektro", "Handwerkskammer Berlin")),
    "adaptation_qualification": (("Kenntnisprüfung Pflege bestanden", "Landesamt für Gesundheit und Soziales"),
                                 ("Anpassungslehrgang abgeschlossen", "IHK Berlin")),
    "trainee_partnership": (("Zertifikat Außenhandelsassistenz", "IHK Berlin"),),
}
IMPROVEMENTS = ("stable_contract", "full_time", "higher_skills", "promotion")
Person = namedtuple("Person", "id organisation_id entry_date counsellor_id labour_status_at_entry status "
                              "exit_date exit_reason")


def _weighted(rng, pairs):
    return rng.choices([k for k, _ in pairs], [w for _, w in pairs])[0]


@lru_cache(maxsize=4096)
def _stamp(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=UTC)


class History:
    """A participant's status history while it is being generated: (date, seq, status)."""

    def __init__(self, records):
        self.records = sorted(records)

    def add(self, day: date, status: str, seq: int) -> None:
        bisect.insort(self.records, (day, seq, status))

    def on(self, day: date) -> str | None:
        i = bisect.bisect_right(self.records, (day, float("inf"), ""))
        return self.records[i - 1][2] if i else None


def generate(ctx: DemoContext) -> None:
    ids = {row["id"] for row in ctx.participant_rows}
    if not ids:
        return
    rng, today = ctx.rng, ctx.today
    org_ids = [o.id for o in ctx.organisations]
    rows = db.session.execute(
        sa.select(Participant.id, Participant.organisation_id, Participant.entry_date, Participant.counsellor_id,
                  Participant.labour_status_at_entry, Participant.status, Participant.exit_date,
                  Participant.exit_reason)
        .where(Participant.organisation_id.in_(org_ids), Participant.id >= min(ids)).order_by(Participant.id)).all()
    # plain named tuples: attribute access on them is much cheaper than on result rows
    people = [Person._make(p) for p in rows if p[0] in ids]
    records: dict[int, list] = {}
    for pid, day, change_id, recorded in db.session.execute(
            sa.select(StatusChange.participant_id, StatusChange.date, StatusChange.id, StatusChange.status)
            .where(StatusChange.participant_id >= min(ids))).tuples():
        if pid in ids:
            records.setdefault(pid, []).append((day, change_id, recorded))
    histories = {pid: History(found) for pid, found in records.items()}
    seq = 10 ** 12  # orders generated records after the existing ones of the same day

    enrolments: dict[int, list[dict]] = {}
    for e in ctx.extra.get("enrolment_rows", []):
        enrolments.setdefault(e["participant_id"], []).append(e)
    employers = _employers(ctx, org_ids)
    already_exited = {pid for (pid,) in db.session.execute(
        sa.select(Exit.participant_id).where(Exit.participant_id >= min(ids)))}

    placements: list[dict[str, Any]] = []
    placement_meta: list[tuple[int, date, str | None, date | None, str | None, int | None]] = []
    exits, re_entries, participant_updates, enrolment_updates, tasks = [], [], [], [], []
    certificates, follow_ups, status_rows = [], [], []

    for p in people:
        history = histories.setdefault(p.id, History([(p.entry_date, 0, p.labour_status_at_entry)]))
        mine = enrolments.get(p.id, [])
        # --- the exit (decided here unless the participants step did) -------------------------------
        exit_date, reason = p.exit_date, p.exit_reason
        first_exit = None
        if exit_date is None and p.entry_date <= today - timedelta(days=120) and rng.random() < 0.6:
            latest = max([p.entry_date] + [e["start_date"] for e in mine if e["start_date"]])
            low = max(p.entry_date + timedelta(days=60), latest + timedelta(days=14))
            high = min(p.entry_date + timedelta(days=720), today - timedelta(days=1))
            if low <= high:
                exit_date = low + timedelta(days=rng.randint(0, (high - low).days))
                reason = _weighted(rng, (("completed", 62), ("dropped_out", 20), ("moved_away", 10), ("other", 8)))
        # a few re-entered after a first exit; the final exit is a later one (or none)
        if exit_date is not None and p.id not in already_exited and rng.random() < 0.06 \
                and exit_date + timedelta(days=60) < today:
            re_date = exit_date + timedelta(days=rng.randint(30, max(30, min(200, (today - exit_date).days - 1))))
            if re_date < today:
                first_exit = (exit_date, reason, re_date)
                exit_date, reason = None, None
                if re_date + timedelta(days=60) < today and rng.random() < 0.5:
                    exit_date = re_date + timedelta(days=rng.randint(60, min(300, (today - re_date).days - 1)))
                    reason = "completed"
        # --- a placement ------------------------------------------------------------------------------
        placement_chance = 0.5 if exit_date and reason == "completed" else (0.25 if exit_date else 0.15)
        if rng.random() < placement_chance:
            ptype = _weighted(rng, TYPE_WEIGHTS)
            if exit_date:
                start = exit_date + timedelta(days=rng.randint(-45, 27))
            else:
                start = p.entry_date + timedelta(days=rng.randint(30, 400))
            start = max(start, p.entry_date + timedelta(days=14))
            if start <= today:
                end = None
                if ptype == "internship":
                    end = start + timedelta(days=rng.choice((28, 42, 56, 90)))
                elif rng.random() < 0.2:
                    end = start + timedelta(days=rng.randint(90, 365))
                if end is not None and end >= today:
                    end = None if ptype != "internship" else end
                title, occupation = rng.choice(JOBS[ptype])
                employer_id, employer_name = (None, None) if ptype == "self_employment" else rng.choice(
                    employers[p.organisation_id])
                led_by = [e for e in mine if e["start_date"] and e["start_date"] <= start]
                low_h, high_h = HOURS[ptype]
                placements.append({
                    "participant_id": p.id, "enrolment_id": rng.choice(led_by)["id"] if led_by and rng.random() < 0.6 else None,
                    "type": ptype, "employer_id": employer_id, "employer_name": employer_name, "job_title": title,
                    "occupation": occupation, "start_date": start, "end_date": end,
                    "weekly_hours": rng.randint(low_h, high_h), "permanent": None if ptype in ("internship", "self_employment")
                    else (end is None and rng.random() < 0.55),
                    "country": "DE" if rng.random() < 0.96 else rng.choice(("PL", "AT", "NL", "TR")),
                    "matches_qualification": rng.random() < 0.5, "created_by_id": p.counsellor_id,
                    "evidence": rng.choice(("self_reported", "employer_confirmed", "contract_seen")),
                    "created_at": _stamp(min(today, start + timedelta(days=3)))})
                status = PLACEMENT_STATUS[ptype]
                after = None
                if status:
                    seq += 1
                    history.add(start, status, seq)
                if end is not None and end + timedelta(days=1) <= today and status:
                    after = "unemployed" if rng.random() < 0.7 else "education_or_training"
                    seq += 1
                    history.add(end + timedelta(days=1), after, seq)
                placement_meta.append((p.id, start, status, end, after, p.counsellor_id))
        # --- exits, re-entry, enrolments closed, tasks ------------------------------------------------
        if first_exit is not None:
            exits.append({"participant_id": p.id, "exit_date": first_exit[0], "reason": first_exit[1],
                          "created_by_id": p.counsellor_id, "created_at": _stamp(first_exit[0])})
            re_entries.append({"participant_id": p.id, "date": first_exit[2], "created_by_id": p.counsellor_id,
                               "created_at": _stamp(first_exit[2])})
            if exit_date is None:
                participant_updates.append({"b_id": p.id, "b_status": "active", "b_exit": None, "b_reason": None})
        if exit_date is not None:
            if p.id not in already_exited:
                exits.append({"participant_id": p.id, "exit_date": exit_date, "reason": reason,
                              "created_by_id": p.counsellor_id, "created_at": _stamp(exit_date)})
            participant_updates.append({"b_id": p.id, "b_status": "exited", "b_exit": exit_date, "b_reason": reason})
            for e in mine:
                if e["status"] in ("planned", "active"):
                    starts_after = e["start_date"] is not None and e["start_date"] > exit_date
                    new_status = "cancelled" if e["status"] == "planned" or starts_after else "completed"
                    end = e["end_date"] if e["end_date"] and e["end_date"] <= exit_date else (None if starts_after else exit_date)
                    e["status"], e["end_date"] = new_status, end
                    enrolment_updates.append({"b_id": e["id"], "b_status": new_status, "b_end": end})
                elif e["status"] in ("completed", "dropped_out") and e["end_date"] and e["end_date"] > exit_date \
                        and e["start_date"] and e["start_date"] <= exit_date:
                    e["end_date"] = exit_date  # nobody takes part after leaving the programme
                    enrolment_updates.append({"b_id": e["id"], "b_status": e["status"], "b_end": exit_date})
            four_weeks, six_months = exit_date + timedelta(days=28), add_months(exit_date, 6)
            check_done = follow_done = None
            if four_weeks <= today and rng.random() < 0.65:
                check_day = min(today, four_weeks + timedelta(days=rng.randint(0, 10)))
                follow_ups.append({"participant_id": p.id, "kind": "four_weeks", "date": check_day,
                                   "status": history.on(check_day) or p.labour_status_at_entry,
                                   "improved_situation": None, "improvement_kind": None,
                                   "created_by_id": p.counsellor_id, "created_at": _stamp(check_day)})
                check_done = _stamp(check_day)
            if six_months <= today and rng.random() < 0.75:
                day = min(today, six_months + timedelta(days=rng.randint(0, 21)))
                status = history.on(day) or p.labour_status_at_entry
                if rng.random() < 0.15:
                    status = "unknown"  # could not be reached: never recorded as unemployed
                elif status == "unemployed" and rng.random() < 0.12:
                    status = "employed"  # found work on their own; the follow-up records it
                    status_rows.append({"participant_id": p.id, "date": day, "status": "employed",
                                        "source": "follow_up", "placement_id": None,
                                        "created_by_id": p.counsellor_id, "created_at": _stamp(day)})
                improved = kind = None
                if p.labour_status_at_entry in ("employed", "self_employed") and status != "unknown":
                    improved = status in ("employed", "self_employed") and rng.random() < 0.35
                    kind = rng.choice(IMPROVEMENTS) if improved else None
                follow_ups.append({"participant_id": p.id, "kind": "six_months", "date": day, "status": status,
                                   "improved_situation": improved, "improvement_kind": kind,
                                   "created_by_id": p.counsellor_id, "created_at": _stamp(day)})
                follow_done = _stamp(day)
            for title, kind, due, done in (("4-Wochen-Check", "four_week_check", four_weeks, check_done),
                                           ("Sechs-Monats-Nachbefragung", "six_month_follow_up", six_months, follow_done)):
                tasks.append({"organisation_id": p.organisation_id, "participant_id": p.id, "title": title,
                              "kind": kind, "due_date": due, "assignee_id": p.counsellor_id, "done_at": done,
                              "created_at": _stamp(exit_date), "version": 1})
        # --- certificates from finished qualifying measures ---------------------------------------------
        for e in mine:
            if e["status"] == "completed" and e["measure_type"] in CERTIFICATES and e["end_date"] \
                    and p.entry_date <= e["end_date"] <= today and rng.random() < 0.55:
                title, body = rng.choice(CERTIFICATES[e["measure_type"]])
                day = min(today, e["end_date"] + timedelta(days=rng.randint(0, 14)))
                certificates.append({"participant_id": p.id, "date": day, "title": title, "issuing_body": body,
                                     "enrolment_id": e["id"], "created_by_id": p.counsellor_id,
                                     "created_at": _stamp(day)})

    first_id = next_id(Placement.__table__)
    placement_ids = list(range(first_id, first_id + len(placements)))
    for row, new_id in zip(placements, placement_ids, strict=False):
        row["id"] = new_id
    insert_rows(Placement.__table__, [{"id": r.pop("id"), **r} for r in placements])
    for new_id, (pid, start, status, end, after, author) in zip(placement_ids, placement_meta, strict=False):
        if status:
            status_rows.append({"participant_id": pid, "date": start, "status": status, "source": "placement",
                                "placement_id": new_id, "created_by_id": author, "created_at": _stamp(start)})
        if after and end is not None:
            status_rows.append({"participant_id": pid, "date": end + timedelta(days=1), "status": after,
                                "source": "placement_end", "placement_id": new_id, "created_by_id": author,
                                "created_at": _stamp(end + timedelta(days=1))})
    status_rows.sort(key=lambda r: (r["date"], r["participant_id"]))
    insert_rows(StatusChange.__table__, status_rows)
    insert_rows(Exit.__table__, exits)
    insert_rows(ReEntry.__table__, re_entries)
    insert_rows(Task.__table__, tasks)
    insert_rows(Certificate.__table__, certificates)
    insert_rows(FollowUp.__table__, follow_ups)
    update_rows(Participant.__table__, "id", [{"status": u["b_status"], "exit_date": u["b_exit"],
                                             "exit_reason": u["b_reason"], "id": u["b_id"]}
                                            for u in participant_updates])
    update_rows(Enrolment.__table__, "id", [{"status": u["b_status"], "end_date": u["b_end"], "waitlisted_at": None,
                                         "id": u["b_id"]} for u in enrolment_updates])
    # keep ctx.participant_rows in step for the steps after this one (privacy: retention)
    final = {u["b_id"]: u for u in participant_updates}
    for row in ctx.participant_rows:
        if row["id"] in final:
            row["status"], row["exit_date"] = final[row["id"]]["b_status"], final[row["id"]]["b_exit"]
            row["exit_reason"] = final[row["id"]]["b_reason"]
    db.session.flush()


def _employers(ctx: DemoContext, org_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """The directory of each organisation (from the measures step) plus a few Berlin employers
    first met through a placement."""
    rows = []
    for org_id in org_ids:
        for name in ctx.rng.sample(BERLIN_EMPLOYERS, 8):
            rows.append({"organisation_id": org_id, "name": name, "district": None, "notes": None,
                         "created_at": _stamp(ctx.today), "version": 1})
    insert_rows(Employer.__table__, rows)
    out: dict[int, list[tuple[int, str]]] = {org_id: [] for org_id in org_ids}
    for r in db.session.execute(sa.select(Employer.id, Employer.organisation_id, Employer.name)
                                .where(Employer.organisation_id.in_(org_ids)).order_by(Employer.id)):
        out[r.organisation_id].append((r.id, r.name))
    return out
