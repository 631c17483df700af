"""The Alembic migrations build exactly the schema the models describe."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from skillmap import create_app
from skillmap.extensions import db
from tests.conftest import scratch_database_url


@pytest.fixture
def empty_db_url(tmp_path):
    return scratch_database_url("migrations", tmp_path)


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


def test_onboarding_migration_lists_the_job_titles_in_use(empty_db_url):
    """People's and role targets' job title strings become rows of the job_title table."""
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_db_url, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="c1a0c0de0001")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO organisation (id, name, created_at) "
                                 "VALUES (1, 'Coop', CURRENT_TIMESTAMP)"))
            conn.execute(sa.text(
                "INSERT INTO person (organisation_id, first_name, last_name, job_title, "
                "availability_hours, languages, visible_to_colleagues, created_at, updated_at) "
                "VALUES (1, 'A', 'B', 'Cuoco', 0, '', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),"
                " (1, 'C', 'D', 'Cuoco', 0, '', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),"
                " (1, 'E', 'F', NULL, 0, '', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        upgrade()
        with db.engine.connect() as conn:
            names = conn.execute(sa.text("SELECT name, retired FROM job_title")).all()
            person = conn.execute(sa.text(
                "SELECT email_notifications, retention_reason FROM person LIMIT 1")).one()
        assert [(n, bool(r)) for n, r in names] == [("Cuoco", False)]
        assert bool(person[0]) is True and person[1] == ""
        db.engine.dispose()
