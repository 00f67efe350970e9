"""deploy/gunicorn.conf.py: the settings production runs with (deploy/caseflow.service)."""
import gc
import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def test_a_worker_freezes_what_it_loaded_before_serving():
    settings = runpy.run_path(str(CONF))
    assert settings["worker_class"] == "sync"
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        settings["post_worker_init"](worker=None)
        # The app's modules, mappers and templates are out of the collector's way.
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
