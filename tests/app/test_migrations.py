"""The Alembic migrations build exactly the schema the models describe."""
import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from skillmap import create_app
from skillmap.extensions import db


@pytest.fixture
def empty_db_url(tmp_path):
    base = os.environ.get("SKILLMAP_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path}/migr.sqlite"
        return
    url = sa.engine.make_url(base)
    name = f"{url.database}_migrations"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_then_autogenerate_finds_no_difference(empty_db_url):
    from flask_migrate import downgrade, upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_db_url, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={
                "compare_type": True, "render_as_batch": True}), db.metadata)
        assert diff == []
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
