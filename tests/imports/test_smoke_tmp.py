from tests.imports.conftest import person, run, xlsx


def test_smoke(team_lead):
    batch = run(xlsx({"participants": [person()]}), team_lead)
    print(batch.status, batch.counts, batch.errors)
    assert batch.status == "checked"
    batch = run(xlsx({"participants": [person()]}), team_lead, dry_run=False)
    print(batch.status, batch.counts, batch.errors)
    assert batch.status == "imported"
