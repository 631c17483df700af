"""The engine is pure computation: importing it pulls in no web or database code."""
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]
WEB = ("flask", "sqlalchemy", "flask_sqlalchemy", "flask_login", "flask_wtf")
FIND_BAD = ("bad = sorted(m for m in sys.modules if m.split('.')[0] in {web!r}); "
            "print(','.join(bad))").format(web=WEB)


def run(code):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return out.stdout.strip()


def test_engine_modules_import_no_flask_or_sqlalchemy():
    # Load skillmap.engine under an empty parent package, so that only the
    # engine's own imports are checked, whatever skillmap/__init__.py does.
    code = ("import sys, types; pkg = types.ModuleType('skillmap'); "
            f"pkg.__path__ = [{str(ROOT / 'skillmap')!r}]; sys.modules['skillmap'] = pkg; "
            "import skillmap.engine; " + FIND_BAD)
    assert run(code) == ""


def test_plain_import_of_engine_pulls_no_flask():
    assert run("import sys, skillmap.engine; " + FIND_BAD) == ""


def test_public_api_is_listed():
    import skillmap.engine as engine

    for name in ("skill_families", "recommend_skills", "similar_people", "skill_gaps",
                 "people_groups", "prepare", "EngineModel"):
        assert name in engine.__all__
        assert callable(getattr(engine, name))
