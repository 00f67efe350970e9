"""Demo participants (a step of caseflow.demo.generate): realistic names from the seed programmes'
countries of origin, Berlin addresses, plausible ages, statuses, education and German levels, with
their labour-market status histories, progress notes, integration plan goals and tasks.

Bulk Core inserts with ids assigned here, so 100,000 participants take a few seconds. The same seed
gives the same data. Leaves ctx.participant_rows (id, organisation_id, counsellor_id, entry_date,
exit_date, status, labour_status_at_entry, gender, date_of_birth, nationality, age_at_entry,
education_isced, german_level) for the later steps.
"""
from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import accumulate
from typing import Any

from caseflow.demo_context import DemoContext, insert_rows, next_id
from caseflow.extensions import db
from caseflow.participants.case_numbers import format_case_number, reserve_case_numbers
from caseflow.participants.models import (
    ForeignQualification,
    Goal,
    Note,
    Participant,
    ParticipantLanguage,
    StatusChange,
    Task,
)
from caseflow.participants.names import duplicate_key, fold, folded_search_key, phone_digits
from caseflow.participants.services import age_on

# country: (weight, language, female first names, male first names, last names)
ORIGINS: dict[str, tuple[int, str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "SY": (18, "ar", ("Amira", "Rasha", "Lina", "Hiba", "Nour", "Rania", "Dima", "Yasmin", "Salma", "Reem"),
           ("Mohammed", "Ahmad", "Khaled", "Omar", "Yusuf", "Samir", "Bilal", "Hassan", "Tarek", "Mahmoud"),
           ("Haddad", "Al-Hassan", "Khalil", "Nasser", "Darwish", "Mansour", "Saleh", "Hamdan", "Sabbagh", "Kassem")),
    "AF": (12, "fa", ("Zahra", "Fatima", "Mariam", "Parwana", "Shabnam", "Nilofar", "Soraya", "Freshta"),
           ("Ahmad", "Mohammad", "Ali", "Hamid", "Farid", "Javid", "Naveed", "Karim", "Mustafa"),
           ("Rahimi", "Ahmadi", "Hashimi", "Karimi", "Sultani", "Noori", "Popal", "Wardak", "Safi")),
    "UA": (16, "uk", ("Olena", "Iryna", "Oksana", "Natalia", "Kateryna", "Yulia", "Tetiana", "Svitlana", "Anna"),
           ("Oleksandr", "Andrii", "Dmytro", "Serhii", "Volodymyr", "Mykola", "Ivan", "Bohdan"),
           ("Kovalenko", "Bondarenko", "Shevchenko", "Tkachenko", "Kravchenko", "Melnyk", "Boyko", "Moroz", "Lysenko")),
    "TR": (10, "tr", ("Ayşe", "Fatma", "Elif", "Zeynep", "Emine", "Hatice", "Merve", "Büşra"),
           ("Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "Emre", "Murat", "Yusuf"),
           ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Öztürk", "Aydın", "Arslan", "Doğan")),
    "IQ": (7, "ar", ("Zainab", "Noor", "Sara", "Maryam", "Huda", "Shahad"),
           ("Ali", "Hussein", "Mustafa", "Haider", "Abbas", "Karrar"),
           ("Al-Jubouri", "Al-Tamimi", "Hassan", "Kareem", "Jaber", "Al-Obaidi")),
    "ER": (6, "ti", ("Helen", "Selam", "Senait", "Yodit", "Tsega", "Winta"),
           ("Yonas", "Dawit", "Tesfay", "Mehari", "Filmon", "Samuel"),
           ("Tesfamariam", "Gebremedhin", "Haile", "Kidane", "Berhane", "Tekle")),
    "VN": (5, "vi", ("Lan", "Huong", "Mai", "Thu", "Linh", "Ngoc"),
           ("Minh", "Tuan", "Hung", "Duc", "Quang", "Long"),
           ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ")),
    "PL": (6, "pl", ("Katarzyna", "Agnieszka", "Magdalena", "Joanna", "Anna", "Małgorzata"),
           ("Piotr", "Krzysztof", "Tomasz", "Paweł", "Łukasz", "Marcin"),
           ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski")),
    "RU": (5, "ru", ("Elena", "Olga", "Tatjana", "Irina", "Swetlana", "Natalja"),
           ("Sergej", "Alexej", "Dmitrij", "Andrej", "Wladimir", "Jurij"),
           ("Iwanow", "Petrowa", "Smirnow", "Kusnezowa", "Popow", "Wolkow")),
    "IR": (6, "fa", ("Maryam", "Shirin", "Neda", "Leila", "Parisa", "Sara"),
           ("Reza", "Amir", "Mehdi", "Hossein", "Babak", "Arash"),
           ("Hosseini", "Mohammadi", "Rezaei", "Moradi", "Ahmadi", "Tehrani")),
    "NG": (5, "en", ("Chioma", "Ngozi", "Aisha", "Funmilayo", "Blessing", "Amaka"),
           ("Chinedu", "Emeka", "Oluwaseun", "Ibrahim", "Tunde", "Uche"),
           ("Okafor", "Adeyemi", "Okonkwo", "Bello", "Eze", "Abubakar")),
    "stateless": (2, "ar", ("Fatima", "Layla", "Rima"), ("Mahmoud", "Khalil", "Ibrahim"),
                  ("Abu-Khalil", "Awad", "Suleiman")),
}
RESIDENCE = {
    "SY": ("recognised_refugee", "subsidiary_protection", "settlement_permit", "asylum_seeker"),
    "AF": ("asylum_seeker", "tolerated", "recognised_refugee", "subsidiary_protection"),
    "UA": ("temporary_protection",),
    "TR": ("residence_permit", "settlement_permit", "asylum_seeker", "eu_blue_card"),
    "IQ": ("recognised_refugee", "tolerated", "asylum_seeker", "residence_permit"),
    "ER": ("recognised_refugee", "subsidiary_protection", "asylum_seeker"),
    "VN": ("residence_permit", "settlement_permit"),
    "PL": ("eu_citizen",),
    "RU": ("late_repatriate", "residence_permit", "settlement_permit", "german_citizen"),
    "IR": ("recognised_refugee", "asylum_seeker", "eu_blue_card", "residence_permit"),
    "NG": ("residence_permit", "asylum_seeker", "tolerated"),
    "stateless": ("tolerated", "recognised_refugee"),
}
LABOUR_AT_ENTRY = (("unemployed", 55), ("inactive", 20), ("education_or_training", 7), ("employed", 13),
                   ("self_employed", 5))
ISCED_WEIGHTS = ((0, 3), (1, 8), (2, 20), (3, 25), (4, 10), (5, 5), (6, 17), (7, 10), (8, 2))
GERMAN_WEIGHTS = ((None, 8), ("A1", 18), ("A2", 22), ("B1", 26), ("B2", 16), ("C1", 8), ("C2", 2))
STREETS = {
    "Neukölln": ("Sonnenallee", "Karl-Marx-Straße", "Hermannstraße", "Weserstraße"),
    "Friedrichshain-Kreuzberg": ("Oranienstraße", "Kottbusser Damm", "Frankfurter Allee", "Wrangelstraße"),
    "Mitte": ("Müllerstraße", "Turmstraße", "Badstraße", "Brunnenstraße"),
    "Spandau": ("Carl-Schurz-Straße", "Falkenseer Chaussee", "Neuendorfer Straße"),
    "Lichtenberg": ("Frankfurter Allee", "Möllendorffstraße", "Siegfriedstraße"),
    "Marzahn-Hellersdorf": ("Marzahner Promenade", "Allee der Kosmonauten", "Hellersdorfer Straße"),
    "Tempelhof-Schöneberg": ("Potsdamer Straße", "Hauptstraße", "Tempelhofer Damm"),
    "Reinickendorf": ("Residenzstraße", "Scharnweberstraße"),
    "Pankow": ("Schönhauser Allee", "Berliner Straße"),
    "Charlottenburg-Wilmersdorf": ("Kaiser-Friedrich-Straße", "Wilmersdorfer Straße"),
    "Steglitz-Zehlendorf": ("Schloßstraße", "Albrechtstraße"),
    "Treptow-Köpenick": ("Bölschestraße", "Schnellerstraße"),
}
POSTCODES = {"Neukölln": "120", "Friedrichshain-Kreuzberg": "109", "Mitte": "133", "Spandau": "135",
             "Lichtenberg": "103", "Marzahn-Hellersdorf": "126", "Tempelhof-Schöneberg": "107",
             "Reinickendorf": "134", "Pankow": "131", "Charlottenburg-Wilmersdorf": "106",
             "Steglitz-Zehlendorf": "121", "Treptow-Köpenick": "124"}
DISTRICT_WEIGHTS = {"Neukölln": 20, "Friedrichshain-Kreuzberg": 14, "Mitte": 14, "Spandau": 12, "Lichtenberg": 8,
                    "Marzahn-Hellersdorf": 8, "Tempelhof-Schöneberg": 7, "Reinickendorf": 6, "Pankow": 4,
                    "Charlottenburg-Wilmersdorf": 3, "Steglitz-Zehlendorf": 2, "Treptow-Köpenick": 2}
NOTE_KINDS = (("meeting", 45), ("phone", 30), ("email", 10), ("video", 8), ("company_visit", 4), ("other", 3))
NOTE_TEXTS = (
    "Erstgespräch geführt. Berufliche Ziele und bisherige Erfahrungen besprochen.\nUnterlagen zur Anerkennung mitgebracht.",
    "Lebenslauf gemeinsam überarbeitet; Anschreiben für zwei Stellen vorbereitet.",
    "Telefonat: Termin beim Jobcenter bestätigt, Kinderbetreuung ist ab nächstem Monat geklärt.",
    "Rückmeldung zum Sprachkurs: kommt gut voran, Prüfung B1 ist geplant.",
    "Gemeinsam Stellenangebote recherchiert. Interesse an Ausbildung im Handwerk.",
    "Unterlagen für die Anerkennungsstelle vollständig; Übersetzungen beauftragt.",
    "Vorstellungsgespräch vorbereitet (Rollenspiel). Teilnehmende fühlt sich sicherer.",
    "Kurzer Austausch per E-Mail: Bewerbung abgeschickt, wartet auf Antwort.",
    "Betriebsbesuch mit Praktikumsbetrieb; Einsatzplan für die ersten Wochen abgestimmt.",
    "Termin abgesagt wegen Krankheit, neuer Termin vereinbart.",
    "Beratung zu Aufenthalt und Arbeitserlaubnis; Verweis an die Migrationsberatung.",
    "Zwischenbilanz: Ziele im Integrationsplan überprüft, nächste Schritte festgelegt.",
)
GOALS = (
    ("Deutsch auf Niveau B2 erreichen", "Anmeldung zum Berufssprachkurs B2"),
    ("Anerkennung des ausländischen Abschlusses beantragen", "Unterlagen übersetzen lassen, Antrag stellen"),
    ("Ausbildungsplatz finden", "Bewerbungen an fünf Betriebe schicken"),
    ("Bewerbungsunterlagen vollständig erstellen", "Lebenslauf und Zeugnisse zusammenstellen"),
    ("Praktikum im Wunschberuf absolvieren", "Kontakt zu Partnerbetrieben herstellen"),
    ("Sozialversicherungspflichtige Beschäftigung aufnehmen", "Stellenangebote wöchentlich besprechen"),
    ("Führerschein Klasse B erwerben", "Finanzierung über das Jobcenter klären"),
    ("Existenzgründung vorbereiten", "Businessplan mit dem Gründungscoaching erstellen"),
)
TASKS = ("Rückruf wegen Bewerbung", "Unterlagen für die Anerkennung prüfen", "Termin beim Jobcenter vorbereiten",
         "Nachfragen: Ergebnis Vorstellungsgespräch", "Zwischengespräch Integrationsplan",
         "Teilnahmebescheinigung Sprachkurs anfordern", "Kontakt mit Praktikumsbetrieb aufnehmen")
QUALIFICATIONS = (("Bachelor Bauingenieurwesen", 6), ("Diplom Krankenpflege", 5), ("Lehramt Mathematik", 6),
                  ("Facharbeiter Elektrotechnik", 4), ("Master Informatik", 7), ("Bachelor Betriebswirtschaft", 6),
                  ("Abschluss Buchhaltung", 4), ("Diplom Maschinenbau", 7), ("Medizinstudium", 7),
                  ("Ausbildung Schneiderei", 3))
RECOGNITION = (("not_applied", 40), ("pending", 25), ("full", 15), ("partial", 15), ("none", 5))


def _weighted(rng, pairs):
    values = [v for v, _ in pairs]
    cumulative = list(accumulate(w for _, w in pairs))
    total, rand = cumulative[-1], rng.random
    return lambda: values[bisect_right(cumulative, rand() * total)]


@cache
def _folded(name: str) -> str:
    return fold(name)


@cache
def _duplicate_key(first: str, last: str) -> str:
    return duplicate_key(first, last)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def generate(ctx: DemoContext) -> None:
    rng, today = ctx.rng, ctx.today
    if not ctx.participants or not ctx.organisations:
        return
    # random.choice/randrange are several times slower than this; at 100,000 people it matters.
    rand = rng.random

    def pick(seq):
        return seq[int(rand() * len(seq))]

    def between(low, high):
        return low + int(rand() * (high - low))
    pick_origin = _weighted(rng, [(k, v[0]) for k, v in ORIGINS.items()])
    pick_labour = _weighted(rng, LABOUR_AT_ENTRY)
    pick_isced = _weighted(rng, ISCED_WEIGHTS)
    pick_german = _weighted(rng, GERMAN_WEIGHTS)
    pick_district = _weighted(rng, list(DISTRICT_WEIGHTS.items()))
    pick_note_kind = _weighted(rng, NOTE_KINDS)
    pick_recognition = _weighted(rng, RECOGNITION)
    pick_gender = _weighted(rng, (("female", 48), ("male", 49), ("non_binary", 1), ("not_stated", 2)))
    orgs = [org.id for org in ctx.organisations]
    first_entry = today - timedelta(days=3 * 365)

    people: list[dict[str, Any]] = []
    for i in range(ctx.participants):
        org_id = orgs[i % len(orgs)]
        lead = ctx.team_leads.get(org_id)
        staff: list[int | None] = [*ctx.counsellors.get(org_id, [])] or [lead]
        counsellor_id = staff[(i // len(orgs)) % len(staff)]
        nationality = pick_origin()
        _, language, female, male, last_names = ORIGINS[nationality]
        gender = pick_gender()
        first = pick(female if gender == "female" or (gender != "male" and rand() < .5) else male)
        last = pick(last_names)
        entry = first_entry + timedelta(days=int(rand() ** 0.7 * (today - first_entry).days))
        age = min(64, max(16, int(rng.gauss(34, 10))))
        born = entry - timedelta(days=age * 365 + between(0, 365))
        labour = pick_labour()
        isced = pick_isced() if rand() < .93 else None
        district = pick_district()
        consent = entry if rand() < .06 else None
        arrival = max(born.year + 1, entry.year - pick((0, 1, 1, 2, 3, 5, 8, 12)))
        people.append({
            "organisation_id": org_id, "counsellor_id": counsellor_id, "first_name": first, "last_name": last,
            "date_of_birth": born, "birth_year": born.year, "age_at_entry": age_on(born, entry), "gender": gender,
            "nationality": nationality,
            "country_of_birth": None if nationality == "stateless" else (nationality if rand() < .9 else "DE"),
            "residence_status": pick(RESIDENCE[nationality]),
            "work_permission": rand() < .85, "arrival_year": arrival, "preferred_language": language,
            "foreign_background": "yes", "disability": "yes" if consent and rand() < .6 else "no",
            "minority": "yes" if consent and rand() < .3 else ("declined" if rand() < .05 else "no"),
            "homeless": "yes" if rand() < .04 else "no",
            "special_categories_consent_date": consent, "entry_date": entry, "labour_status_at_entry": labour,
            "unemployed_since": entry - timedelta(days=between(20, 1200)) if labour == "unemployed" else None,
            "education_isced": isced, "german_level": pick_german(),
            "phone": f"+49 1{pick((51, 52, 57, 60, 62, 76))} {between(1000000, 9999999)}",
            "email": (f"{_folded(first).replace(' ', '')}.{_folded(last).replace(' ', '')}{between(1, 99)}@example.org"
                      if rand() < .7 else None),
            "street": f"{pick(STREETS[district])} {between(1, 180)}",
            "postcode": f"{POSTCODES[district]}{between(10, 99)}", "city": "Berlin", "district": district,
            "status": "active", "exit_date": None,
        })

    # Case numbers by year of entry, reserved in one step per year.
    per_year = Counter(p["entry_date"].year for p in people)
    next_number = {year: reserve_case_numbers(year, n) for year, n in sorted(per_year.items())}
    participant_id = next_id(Participant.__table__)
    for p in people:
        year = p["entry_date"].year
        p["case_number"] = format_case_number(year, next_number[year])
        next_number[year] += 1
        p["id"] = participant_id
        participant_id += 1
        p["search_key"] = folded_search_key(fold(p["case_number"]), _folded(p["first_name"]), _folded(p["last_name"]),
                                            phone_digits(p["phone"]), fold(p["email"]))
        p["duplicate_key"] = _duplicate_key(p["first_name"], p["last_name"])
        p["created_at"] = p["updated_at"] = _at(p["entry_date"], 9)
    insert_rows(Participant.__table__, people)

    statuses, notes, goals, tasks, languages, qualifications = [], [], [], [], [], []
    for p in people:
        pid, entry, counsellor_id = p["id"], p["entry_date"], p["counsellor_id"]
        statuses.append({"participant_id": pid, "date": entry, "status": p["labour_status_at_entry"],
                         "source": "entry", "created_by_id": counsellor_id, "created_at": _at(entry, 9)})
        days_in = (today - entry).days
        if p["labour_status_at_entry"] in ("inactive", "education_or_training") and days_in > 60 and rand() < .3:
            day = entry + timedelta(days=between(30, min(days_in, 300)))
            statuses.append({"participant_id": pid, "date": day, "status": "unemployed", "source": "manual",
                             "created_by_id": counsellor_id, "created_at": _at(day, 11)})
        # Contacts: more for longer cases, the last one often recent.
        for _ in range(min(6, 1 + int(rand() * (1 + days_in / 240)))):
            day = entry + timedelta(days=int(rand() * min(days_in, 540)))
            notes.append({"participant_id": pid, "date": day, "kind": pick_note_kind(),
                          "minutes": pick((15, 20, 30, 45, 60, 90)), "text": pick(NOTE_TEXTS),
                          "author_id": counsellor_id, "created_at": _at(day, 14)})
        if rand() < .8:
            first_goal = int(rand() * len(GOALS))
            chosen = [GOALS[first_goal]] + ([GOALS[(first_goal + 3) % len(GOALS)]] if rand() < .3 else [])
            for title, steps in chosen:
                target = entry + timedelta(days=between(90, 540))
                status = "open" if target > today else pick(("achieved", "achieved", "dropped", "open"))
                goals.append({"participant_id": pid, "title": title, "target_date": target, "status": status,
                              "next_steps": steps, "created_at": _at(entry + timedelta(days=7), 12)})
        if days_in < 540 and rand() < .7:
            due = today + timedelta(days=between(-12, 25))
            tasks.append({"organisation_id": p["organisation_id"], "participant_id": pid, "title": pick(TASKS),
                          "kind": "manual", "due_date": due, "assignee_id": counsellor_id, "done_at": None,
                          "created_at": _at(min(today, entry + timedelta(days=3)), 8)})
        if days_in > 30 and rand() < .4:
            due = entry + timedelta(days=between(7, min(days_in, 400)))
            tasks.append({"organisation_id": p["organisation_id"], "participant_id": pid, "title": pick(TASKS),
                          "kind": "manual", "due_date": due, "assignee_id": counsellor_id,
                          "done_at": _at(due, 16), "created_at": _at(entry, 8)})
        languages.append({"participant_id": pid, "language": p["preferred_language"], "level": "native"})
        if p["preferred_language"] != "en" and rand() < .25:
            languages.append({"participant_id": pid, "language": "en", "level": pick(("A2", "B1", "B2", "C1"))})
        if (p["education_isced"] or 0) >= 3 and rand() < .5:
            title, isced = pick(QUALIFICATIONS)
            qualifications.append({"participant_id": pid, "title": title, "isced": isced,
                                   "country": p["country_of_birth"], "recognition_status": pick_recognition()})

    for model, rows in ((StatusChange, statuses), (Note, notes), (Goal, goals), (Task, tasks),
                        (ParticipantLanguage, languages), (ForeignQualification, qualifications)):
        insert_rows(model.__table__, rows)
    db.session.flush()

    ctx.participant_rows.extend(
        {key: p[key] for key in ("id", "organisation_id", "counsellor_id", "entry_date", "exit_date", "status",
                                 "labour_status_at_entry", "gender", "date_of_birth", "nationality",
                                 "age_at_entry", "education_isced", "german_level", "unemployed_since")}
        for p in people)
