"""Folding for search and the duplicate key."""

from caseflow.participants.names import duplicate_key, fold, name_skeleton, search_key, search_terms, similar_names

SAME_WHEN_FOLDED = [
    ("Müller", "Mueller"), ("Müller", "Muller"), ("MÜLLER", "müller"), ("Strauß", "Strauss"),
    ("Al-Hassan", "al hassan"), ("Nguyễn", "Nguyen"), ("Çelik", "Celik"), ("Łukasz", "Lukasz"),
    ("Yıldız", "Yildiz"), ("O'Brien", "OBrien"),
]


def test_fold_treats_spellings_alike():
    assert [(a, b) for a, b in SAME_WHEN_FOLDED if fold(a) != fold(b)] == []


def test_fold_transliterates_other_scripts():
    assert fold("Ковальенко") == fold("Koval'enko") == "kovalenko"
    assert fold("Олена").startswith("olen")


def test_search_key_holds_case_number_and_compact_names():
    key = search_key("CF-2026-000123", "Ömer", "Al-Hassan")
    for term in search_terms("cf-2026-000123 omer alhassan al hassan"):
        assert term in key


VARIANTS = [
    ("Kovalenko", "Kowalenko"), ("Mohammed", "Muhammad"), ("Mohamed", "Muhammad"), ("Jusuf", "Yusuf"),
    ("Müller", "Mueller"), ("Olena", "Elena"), ("Fatima", "Fatma"), ("Ahmad", "Achmed"),
    ("Iwanowa", "Ivanova"), ("Philipp", "Filip"),
]


def test_transliteration_variants_share_a_skeleton():
    assert [(a, b) for a, b in VARIANTS if name_skeleton(a) != name_skeleton(b)] == []


def test_duplicate_key_ignores_order_of_first_and_last_name():
    assert duplicate_key("Yusuf", "Kowalenko") == duplicate_key("Kovalenko", "Jusuf")


PAIRS = [
    ("Mohammed", "Al-Hassan", "Muhammad", "Alhassan", True),
    ("Anna", "Schmidt", "Ana", "Schmitt", True),
    ("Peter", "Meier", "Paul", "Meier", False),
    ("Olena", "Kovalenko", "Iryna", "Kovalenko", False),
    ("Amira", "Haddad", "Samir", "Haddad", False),
]


def test_similar_names():
    wrong = [pair for pair in PAIRS
             if similar_names(duplicate_key(pair[0], pair[1]), duplicate_key(pair[2], pair[3])) is not pair[4]]
    assert wrong == []
