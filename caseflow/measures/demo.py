"""Demo data of the measures domain (a step of caseflow.demo.generate): employers, measures of every
type for each organisation, enrolments in every state with each type's details, a waiting list, and
attendance for group measures. Bulk Core inserts; the same seed gives the same data.

Reads ctx.participant_rows (dicts with at least id, organisation_id, entry_date; counsellor_id,
status and exit_date when present). Leaves ctx.extra["enrolment_rows"]: dicts with id,
participant_id, measure_id, measure_type, status, start_date, end_date (for the placements step).
"""
from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from caseflow.demo_context import DemoContext, insert_rows, next_id
from caseflow.extensions import db
from caseflow.measures.models import Attendance, AttendanceSession, Employer, Enrolment, Measure
from caseflow.vocabulary import GERMAN_LEVELS, MEASURE_TYPES

GROUP_TYPES = ("language_course", "low_threshold_qualification", "intercultural_training",
               "adaptation_qualification", "trainee_partnership")
# How long a demo session lasts, by measure type (minutes): a morning of a course, a training day.
SESSION_MINUTES = {"language_course": 180, "low_threshold_qualification": 240, "intercultural_training": 360}
CAPACITY = {"language_course": 18, "low_threshold_qualification": 12, "intercultural_training": 20,
            "adaptation_qualification": 15, "trainee_partnership": 10}
TITLES = {
    "matching": ("Kompetenzbasiertes Matching", "Jobmatching Handwerk und Technik", "Matching akademische Berufe"),
    "trainee_partnership": ("Trainee-Partnerschaft Außenhandel", "Trainee-Partnerschaft Handwerk",
                            "Trainee-Partnerschaft Pflege"),
    "startup_coaching": ("Gründungscoaching für Akademikerinnen", "Existenzgründung mit Migrationsgeschichte"),
    "low_threshold_qualification": ("Werkstatt Holz", "Werkstatt Metall", "Elektro-Grundlagen",
                                    "Textilwerkstatt", "Gebäudeservice und Haustechnik"),
    "recognition_counselling": ("Anerkennungsberatung", "Anerkennungsberatung Gesundheitsberufe"),
    "adaptation_qualification": ("Anpassungsqualifizierung Pflege", "Vorbereitung Kenntnisprüfung"),
    "language_course": ("Deutsch für den Beruf B1", "Berufssprachkurs B2", "Fachsprache Pflege C1"),
    "intercultural_training": ("Interkulturelles Training für Betriebe", "Interkulturelle Kompetenz im Team"),
    "coaching": ("Einzelcoaching Bewerbung", "Karrierecoaching"),
}
LOCATIONS = ("Karl-Marx-Straße 12, Neukölln", "Oranienstraße 25, Kreuzberg", "Carl-Schurz-Straße 8, Spandau",
             "Müllerstraße 146, Wedding", "Frankfurter Allee 35, Friedrichshain")
TRADES = ("wood", "metal", "electronics", "textile", "maintenance")
EMPLOYER_KINDS = (("Holzbau", "F"), ("Elektro", "F"), ("Metallbau", "C"), ("Textilwerkstatt", "C"),
                  ("Gebäudeservice", "N"), ("Bäckerei", "C"), ("Pflegedienst", "Q"), ("IT-Systemhaus", "J"),
                  ("Spedition", "H"), ("Restaurant", "I"), ("Import-Export", "G"), ("Steuerbüro", "M"))
EMPLOYER_NAMES = ("Yılmaz", "Schmidt", "Kowalski", "Nguyen", "Petrov", "Haddad", "Becker", "Öztürk",
                  "Hoffmann", "Mansour", "Wagner", "Kaya")
EMPLOYER_FORMS = ("GmbH", "e.K.", "GmbH & Co. KG", "UG")
DISTRICTS = ("Neukölln", "Kreuzberg", "Friedrichshain", "Spandau", "Wedding", "Moabit", "Marzahn", "Lichtenberg")
MENTORS = ("Frau Kaya", "Herr Becker", "Frau Nowak", "Herr Mansour", "Frau Schulz", "Herr Weber")
OCCUPATIONS = ("Elektroniker/in", "Mechatroniker/in", "Pflegefachkraft", "Fachinformatiker/in", "Koch/Köchin",
               "Lagerlogistik", "Bauingenieur/in", "Buchhalter/in")
QUALIFICATIONS = (("Bauingenieur", "UA", "Bauingenieur/in", True, "Baukammer Berlin"),
                  ("Krankenschwester", "SY", "Pflegefachfrau/-mann", True, "Landesamt für Gesundheit und Soziales"),
                  ("Elektrotechniker", "TR", "Elektroniker/in", False, "Handwerkskammer Berlin"),
                  ("Lehrerin", "AF", "Lehrkraft", True, "Senatsverwaltung für Bildung"),
                  ("Buchhalterin", "IR", "Steuerfachangestellte/r", False, "IHK FOSA"))
BUSINESS_IDEAS = (("Catering mit syrischer Küche", "I"), ("Übersetzungsbüro", "M"), ("Schneiderei", "C"),
                  ("IT-Service für Kleinbetriebe", "J"), ("Lebensmittelhandel", "G"), ("Kosmetikstudio", "S"))
DROPOUT_REASONS = ("Umzug in ein anderes Bundesland", "Arbeitsaufnahme", "Gesundheitliche Gründe",
                   "Kinderbetreuung nicht gesichert", "Kein Interesse mehr")
ATTENDANCE_BUDGET = 60_000
SESSIONS_PER_MEASURE = 8


def _insert(table, rows: list[dict[str, Any]], returning: bool = False) -> list[int]:
    """Bulk insert (`insert_rows`) with created_at and version filled in. With `returning`, rows get
    explicit ids after the current maximum (returned)."""
    if not rows:
        return []
    ids: list[int] = []
    if returning:
        start = next_id(table)
        ids = list(range(start, start + len(rows)))
        rows = [{**row, "id": i} for row, i in zip(rows, ids, strict=True)]
    insert_rows(table, rows, created_at=datetime.now(UTC), version=1)
    return ids


def _months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, min(d.day, 28))


def generate(ctx: DemoContext) -> None:
    by_org: dict[int, list[dict]] = {}
    for row in ctx.participant_rows:
        by_org.setdefault(row["organisation_id"], []).append(row)
    enrolment_rows_out: list[dict] = []
    for org in ctx.organisations:
        people = by_org.get(org.id, [])
        employer_ids = _employers(ctx, org.id)
        measures = _measures(ctx, org.id, len(people))
        enrolments = _enrolments(ctx, people, measures, employer_ids)
        _waiting_list(ctx, people, measures, enrolments)
        ids = _insert(Enrolment.__table__, [e["row"] for e in enrolments], returning=True)
        for e, new_id in zip(enrolments, ids, strict=False):
            e["row"]["id"] = new_id
            r = e["row"]
            enrolment_rows_out.append({"id": new_id, "participant_id": r["participant_id"],
                                       "measure_id": r["measure_id"], "measure_type": e["type"],
                                       "status": r["status"], "start_date": r["start_date"],
                                       "end_date": r["end_date"]})
        _link_adaptations(enrolments)
        _capacities(measures, enrolments)
        _attendance(ctx, measures, enrolments, budget=ATTENDANCE_BUDGET // max(1, len(ctx.organisations)))
    ctx.extra["enrolment_rows"] = enrolment_rows_out
    db.session.flush()


def _link_adaptations(enrolments: list[dict]) -> None:
    """An adaptation qualification of someone whose recognition was partial follows that decision."""
    partial = {e["row"]["participant_id"]: e["row"]["id"] for e in enrolments
               if e["type"] == "recognition_counselling" and (e["row"]["details"] or {}).get("outcome") == "partial"}
    updates = [{"b_id": e["row"]["id"], "b_linked": partial[e["row"]["participant_id"]]} for e in enrolments
               if e["type"] == "adaptation_qualification" and e["row"]["participant_id"] in partial]
    by_id = {e["row"]["id"]: e["row"] for e in enrolments if e["type"] == "adaptation_qualification"}
    for u in updates:
        by_id[u["b_id"]]["linked_enrolment_id"] = u["b_linked"]
    if updates:
        table = Enrolment.__table__
        db.session.execute(sa.update(table).where(table.c.id == sa.bindparam("b_id"))
                           .values(linked_enrolment_id=sa.bindparam("b_linked")), updates)


def _employers(ctx: DemoContext, org_id: int) -> list[int]:
    rng = ctx.rng
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    while len(rows) < 24:
        kind, section = rng.choice(EMPLOYER_KINDS)
        name = f"{kind} {rng.choice(EMPLOYER_NAMES)} {rng.choice(EMPLOYER_FORMS)}"
        if name in seen:
            continue
        seen.add(name)
        contact = f"{rng.choice(('Frau', 'Herr'))} {rng.choice(EMPLOYER_NAMES)}"
        rows.append({"organisation_id": org_id, "name": name, "nace_section": section,
                     "size": rng.choice(("micro", "micro", "small", "small", "medium", "large")),
                     "district": rng.choice(DISTRICTS), "contact_person": contact,
                     "contact_phone": f"030 {rng.randint(2000000, 9999999)}",
                     "contact_email": f"kontakt{len(rows) + 1}@{kind.lower().replace('-', '')}.example",
                     "notes": None})
    return _insert(Employer.__table__, rows, returning=True)


def _measures(ctx: DemoContext, org_id: int, n_people: int) -> list[dict]:
    """Every type, at least two of each (one finished, one running); more for large demo sets so
    that each measure holds a realistic number of people."""
    rng, today = ctx.rng, ctx.today
    per_type = max(2, math.ceil(n_people / 900))
    rows = []
    for measure_type in MEASURE_TYPES:
        for i in range(per_type):
            # Spread start dates over the last three years; the last one of each type is running.
            running = i == per_type - 1
            length = 365 if measure_type == "trainee_partnership" else rng.choice((90, 120, 180, 270))
            if running:
                start = today - timedelta(days=rng.randint(20, max(21, length - 20)))
            else:
                start = today - timedelta(days=rng.randint(length + 10, 3 * 365))
            end = start + timedelta(days=length)
            title = rng.choice(TITLES[measure_type]) + (f" {start.year}/{i + 1}" if per_type > 2 else f" {start.year}")
            rows.append({"organisation_id": org_id, "title": title[:200], "type": measure_type, "start_date": start,
                         "end_date": end, "capacity": None, "location": rng.choice(LOCATIONS),
                         "description": None, "active": end >= today})
    ids = _insert(Measure.__table__, rows, returning=True)
    for row, new_id in zip(rows, ids, strict=False):
        row["id"] = new_id
    return rows


def _details(ctx: DemoContext, measure_type: str, start: date, status: str, employer_ids: list[int]) -> tuple[dict, int | None]:
    rng, today = ctx.rng, ctx.today
    finished = status in ("completed", "dropped_out")
    if measure_type == "matching":
        approached = rng.randint(0, 12)
        return {"target_occupations": rng.sample(OCCUPATIONS, 2), "companies_approached": approached,
                "interviews": rng.randint(0, approached)}, None
    if measure_type == "trainee_partnership":
        d: dict[str, Any] = {"mentor": rng.choice(MENTORS), "contract_start": start.isoformat(),
                             "contract_end": _months(start, 12).isoformat()}
        if _months(start, 6) <= today and status != "planned":
            d["midterm_review_date"] = _months(start, 6).isoformat()
            d["midterm_review_result"] = rng.choice(("on_track", "on_track", "needs_support", "at_risk"))
        return d, rng.choice(employer_ids)
    if measure_type == "startup_coaching":
        idea, sector = rng.choice(BUSINESS_IDEAS)
        d = {"business_idea": idea, "sector": sector}
        plan = start + timedelta(days=rng.randint(30, 120))
        if plan <= today and status != "planned" and rng.random() < 0.7:
            d["business_plan_done_on"] = plan.isoformat()
            registered = plan + timedelta(days=rng.randint(20, 90))
            if registered <= today and rng.random() < 0.5:
                d["business_registered_on"] = registered.isoformat()
        return d, None
    if measure_type == "low_threshold_qualification":
        planned = rng.choice((160, 240, 320))
        attended = rng.randint(planned // 2, planned) if finished else rng.randint(0, planned // 2)
        d = {"trade_field": rng.choice(TRADES), "hours_planned": planned, "hours_attended": attended,
             "labour_market": "germany" if rng.random() < 0.8 else "country_of_origin"}
        if status == "completed" and rng.random() < 0.8:
            d["certificate"] = True
        return d, None
    if measure_type == "recognition_counselling":
        title, country, reference, regulated, authority = rng.choice(QUALIFICATIONS)
        d = {"qualification": title, "qualification_country": country, "reference_occupation": reference,
             "competent_authority": authority}
        if regulated:
            d["regulated"] = True
        applied = start + timedelta(days=rng.randint(7, 40))
        if applied <= today and status != "planned":
            d["application_date"] = applied.isoformat()
            decided = applied + timedelta(days=rng.randint(30, 100))
            if decided <= today and status == "completed":
                d["decision_date"] = decided.isoformat()
                d["outcome"] = rng.choice(("full", "full", "partial", "partial", "none"))
            else:
                d["outcome"] = "pending"
        return d, None
    if measure_type == "adaptation_qualification":
        return {"compensation_form": rng.choice(("adaptation_course", "aptitude_test")),
                "result": rng.choice(("passed", "passed", "failed")) if status == "completed" else "pending"}, None
    if measure_type == "language_course":
        level = rng.randint(0, 3)
        d = {"level_start": GERMAN_LEVELS[level]}
        if status == "completed":
            d["level_end"] = GERMAN_LEVELS[min(5, level + rng.choice((0, 1, 1, 1, 2)))]
        return d, None
    if measure_type == "intercultural_training":
        return {"days": rng.choice((2, 3, 5))}, None
    return {"sessions": rng.randint(1, 12) if status != "planned" else 0,
            "focus": rng.choice(("Bewerbung", "Berufsorientierung", "Selbstorganisation"))}, None


def _enrolments(ctx: DemoContext, people: list[dict], measures: list[dict], employer_ids: list[int]) -> list[dict]:
    """One to three enrolments per participant, in measures of their organisation that overlap their
    time in the programme. Status follows the dates: finished measures give completed, dropped out or
    cancelled enrolments; running ones active or planned."""
    rng, today = ctx.rng, ctx.today
    by_start = sorted(measures, key=lambda m: (m["start_date"], m["id"]))
    out = []
    for person in people:
        entry = person["entry_date"]
        exit_date = person.get("exit_date")
        wanted = rng.choice((1, 1, 2, 2, 3))
        chosen: dict[int, dict] = {}
        # A few random draws instead of scanning every measure keeps 100k participants fast.
        for _ in range(wanted * 4):
            m = by_start[rng.randrange(len(by_start))]
            if m["end_date"] >= entry and (exit_date is None or m["start_date"] <= exit_date):
                chosen.setdefault(m["id"], m)
                if len(chosen) == wanted:
                    break
        for m in chosen.values():
            start = max(entry, m["start_date"])
            end = m["end_date"]
            if exit_date is not None:
                end = min(end, exit_date)
            if end < start:
                continue
            finished = end < today or exit_date is not None
            dice = rng.random()
            if finished:
                status = "completed" if dice < 0.75 else "dropped_out" if dice < 0.92 else "cancelled"
            elif start > today:
                status = "planned"
            else:
                status = "active" if dice < 0.85 else "planned" if dice < 0.95 else "cancelled"
            row_end = end
            reason = None
            if status == "dropped_out":
                row_end = start + timedelta(days=max(0, int((end - start).days * rng.uniform(0.2, 0.8))))
                reason = rng.choice(DROPOUT_REASONS)
            elif status == "cancelled":
                row_end = None
            elif status == "planned" and start <= today:
                start = today + timedelta(days=rng.randint(3, 30))
                row_end = max(start, end)
            details, host = _details(ctx, m["type"], start, status, employer_ids)
            out.append({"type": m["type"], "measure": m, "counsellor_id": person.get("counsellor_id"),
                        "row": {"participant_id": person["id"], "measure_id": m["id"], "status": status,
                                "start_date": start, "end_date": row_end, "dropout_reason": reason,
                                "waitlisted_at": None, "details": details or None, "host_employer_id": host,
                                "linked_enrolment_id": None, "attendance_alerted_at": None,
                                "created_by_id": person.get("counsellor_id")}})
    return out


def _waiting_list(ctx: DemoContext, people: list[dict], measures: list[dict], enrolments: list[dict]) -> None:
    """The most recent running language course is full and has three people waiting."""
    running = [m for m in measures if m["type"] == "language_course" and m["active"]]
    if not running:
        return
    measure = running[-1]
    enrolled = {e["row"]["participant_id"] for e in enrolments if e["row"]["measure_id"] == measure["id"]}
    waiting = [p for p in people if p["id"] not in enrolled and p.get("exit_date") is None
               and p["entry_date"] <= ctx.today][:3]
    base = datetime.combine(ctx.today - timedelta(days=10), time(9, 0), tzinfo=UTC)
    for i, person in enumerate(waiting):
        start = ctx.today + timedelta(days=14)
        details, _ = _details(ctx, "language_course", start, "planned", [])
        enrolments.append({"type": "language_course", "measure": measure, "counsellor_id": person.get("counsellor_id"),
                           "row": {"participant_id": person["id"], "measure_id": measure["id"], "status": "planned",
                                   "start_date": start, "end_date": max(start, measure["end_date"]),
                                   "dropout_reason": None, "waitlisted_at": base + timedelta(hours=5 * i),
                                   "details": details, "host_employer_id": None, "linked_enrolment_id": None,
                                   "attendance_alerted_at": None, "created_by_id": person.get("counsellor_id")}})
    measure["waitlist"] = bool(waiting)


def _capacities(measures: list[dict], enrolments: list[dict]) -> None:
    """Group measures get a capacity that fits the generated enrolments (full where a waiting list exists)."""
    taken: dict[int, int] = {}
    for e in enrolments:
        r = e["row"]
        if r["status"] in ("planned", "active") and r["waitlisted_at"] is None:
            taken[r["measure_id"]] = taken.get(r["measure_id"], 0) + 1
    updates = []
    for m in measures:
        if m["type"] not in CAPACITY:
            continue
        n = taken.get(m["id"], 0)
        capacity = max(1, n) if m.get("waitlist") else max(CAPACITY[m["type"]], n)
        updates.append({"b_id": m["id"], "b_capacity": capacity})
    if updates:
        table = Measure.__table__
        db.session.execute(sa.update(table).where(table.c.id == sa.bindparam("b_id"))
                           .values(capacity=sa.bindparam("b_capacity")).execution_options(synchronize_session=False),
                           updates)


def _attendance(ctx: DemoContext, measures: list[dict], enrolments: list[dict], *, budget: int) -> None:
    """Weekly sessions for group measures (the most recent first, until the row budget is spent) and
    who attended; a few participants attend poorly."""
    rng, today = ctx.rng, ctx.today
    by_measure: dict[int, list[dict]] = {}
    for e in enrolments:
        r = e["row"]
        if r["status"] in ("active", "completed", "dropped_out") and r["waitlisted_at"] is None:
            by_measure.setdefault(r["measure_id"], []).append(r)
    group = sorted((m for m in measures if m["type"] in GROUP_TYPES and m["start_date"] <= today),
                   key=lambda m: (m["start_date"], m["id"]), reverse=True)
    session_rows, plans = [], []
    for m in group:
        members = by_measure.get(m["id"], [])
        if not members or budget <= 0:
            continue
        last = min(m["end_date"], today)
        step = max(7, (last - m["start_date"]).days // SESSIONS_PER_MEASURE or 7)
        dates = [m["start_date"] + timedelta(days=step * k) for k in range(SESSIONS_PER_MEASURE)]
        dates = [d for d in dates if d <= last]
        if not dates:
            continue
        budget -= len(dates) * len(members)
        plans.append((m, dates, members))
        # a fixed duration per type (no draw from the generator: the same seed keeps its data)
        minutes = SESSION_MINUTES.get(m["type"], 180)
        session_rows += [{"measure_id": m["id"], "date": d, "topic": None, "minutes": minutes} for d in dates]
    session_ids = iter(_insert(AttendanceSession.__table__, session_rows, returning=True))
    attendance_rows = []
    for _measure, dates, members in plans:
        ids = [next(session_ids) for _ in dates]
        for r in members:
            reliability = 0.55 if rng.random() < 0.1 else 0.93
            end = r["end_date"] or today
            for session_id, d in zip(ids, dates, strict=False):
                if r["start_date"] <= d <= end:
                    attendance_rows.append({"session_id": session_id, "enrolment_id": r["id"],
                                            "present": rng.random() < reliability})
    _insert(Attendance.__table__, attendance_rows)
