"""gunicorn.conf.py: threaded workers, settings from the environment with sane defaults."""
from __future__ import annotations

import runpy

import pytest

from skillmap import ROOT

CONF = str(ROOT / "gunicorn.conf.py")
KEYS = ("SKILLMAP_BIND", "SKILLMAP_WORKERS", "SKILLMAP_THREADS", "SKILLMAP_TIMEOUT")


@pytest.fixture
def env(monkeypatch):
    for key in KEYS:
        monkeypatch.delenv(key, raising=False)
    return monkeypatch


def test_defaults_serve_locally_with_threads(env):
    conf = runpy.run_path(CONF)
    assert conf["bind"] == ["127.0.0.1:8000"]
    assert conf["worker_class"] == "gthread" and conf["threads"] == 4
    assert conf["workers"] >= 2 and conf["timeout"] == 60


def test_the_environment_wins(env):
    env.setenv("SKILLMAP_BIND", "0.0.0.0:9000, unix:/run/skillmap.sock")
    env.setenv("SKILLMAP_WORKERS", "5")
    env.setenv("SKILLMAP_THREADS", "2")
    env.setenv("SKILLMAP_TIMEOUT", "30")
    conf = runpy.run_path(CONF)
    assert conf["bind"] == ["0.0.0.0:9000", "unix:/run/skillmap.sock"]
    assert (conf["workers"], conf["threads"], conf["timeout"]) == (5, 2, 30)


def test_a_worker_leaves_the_loaded_application_out_of_garbage_collection(env):
    import gc

    conf = runpy.run_path(CONF)
    try:
        conf["post_worker_init"](object())
        assert gc.get_freeze_count() > 1000   # everything imported so far is frozen
    finally:
        gc.unfreeze()
