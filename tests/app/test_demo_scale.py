"""The demo generator copes with a large cooperative (10,000 people) in a second run."""
import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import Person, PersonSkill, User


@pytest.mark.slow
def test_demo_grows_from_120_to_10000_people(runner):
    assert runner.invoke(args=["load-taxonomy"]).exit_code == 0
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 120
    second = runner.invoke(args=["seed-demo", "--employees", "10000"])
    assert second.exit_code == 0, second.output
    assert "9880 people added" in second.output
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 10000
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 4
    rows = db.session.scalar(sa.select(sa.func.count(PersonSkill.id)))
    assert rows > 10000 * 5
