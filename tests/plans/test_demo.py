"""The demo data is the real data: counts and statuses as the source documents give them."""

import pytest
from sqlalchemy import func, select

from consult.demo import load_demo_data
from consult.plans.models import Action, Commitment, Plan, StatusChange

# "Tableau récapitulatif", mid-term self-assessment of the 2015-2017 plan, updated 03/06/2016
# (../shared/seeds/004_6b7047c09e3efcb0.txt): (status, calendar) of commitments 1 to 26.
SUMMARY_TABLE_2015_2017 = {
    1: ("Substantiel", "Conforme"), 2: ("Partiel", "Conforme"), 3: ("Partiel", "Retardé"),
    4: ("Partiel", "Conforme"), 5: ("Substantiel", "Conforme"), 6: ("Substantiel", "Conforme"),
    7: ("Partiel", "Conforme"), 8: ("Substantiel", "Retardé"), 9: ("Substantiel", "Conforme"),
    10: ("Partiel", "Retardé"), 11: ("Partiel", "Conforme"), 12: ("Substantiel", "Conforme"),
    13: ("Partiel", "Conforme"), 14: ("Substantiel", "Conforme"),
    15: ("Substantiel", "Conforme"), 16: ("Partiel", "Conforme"),
    17: ("Substantiel", "Conforme"), 18: ("Substantiel", "Conforme"),
    19: ("Substantiel", "Conforme"), 20: ("Substantiel", "Conforme"),
    21: ("Partiel", "Conforme"), 22: ("Partiel", "Conforme"), 23: ("Substantiel", "Conforme"),
    24: ("Complet", "Conforme"), 25: ("Susbtantiel voire complet", "Conforme"),
    26: ("Susbtantiel voire Complet", "Conforme"),
}  # fmt: skip
OFFICIAL = {"Partiel": "partial", "Substantiel": "substantial", "Complet": "complete"}
CALENDAR = {"Conforme": "on_time", "Retardé": "delayed"}


@pytest.fixture
def demo(demo_db):
    return demo_db


def get_plan(db, slug):
    return db.session.scalars(select(Plan).where(Plan.slug == slug)).one()


def commitments_of(db, plan):
    return db.session.scalars(
        select(Commitment).where(Commitment.plan_id == plan.id).order_by(Commitment.number)
    ).all()


def test_the_2015_2017_plan_has_its_26_commitments_with_the_summary_table(demo):
    plan = get_plan(demo, "2015-2017")
    commitments = commitments_of(demo, plan)
    assert [c.number for c in commitments] == list(range(1, 27))
    assert [a.title for a in plan.axes][:2] == [
        "Rendre des comptes",
        "Consulter, concerter, co-produire",
    ]
    for commitment in commitments:
        status_wording, calendar_wording = SUMMARY_TABLE_2015_2017[commitment.number]
        assert commitment.status_original == status_wording
        assert commitment.schedule_original == calendar_wording
        assert commitment.schedule == CALENDAR[calendar_wording]
        expected = OFFICIAL.get(status_wording, "substantial")  # "voire complet": closest value
        assert commitment.status == expected, commitment.number
        assert commitment.institutions, commitment.number
    assert commitments[24].status_note  # the ambiguity is explained, not silently resolved


def test_the_2015_2017_actions_and_their_statuses_are_loaded(demo):
    plan = get_plan(demo, "2015-2017")
    actions = demo.session.scalars(
        select(Action).join(Commitment).where(Commitment.plan_id == plan.id)
    ).all()
    assert len(actions) == 74
    counts = {}
    for action in actions:
        counts[action.status] = counts.get(action.status, 0) + 1
    assert counts == {"substantial": 35, "partial": 24, "complete": 12, "not_started": 2, None: 1}


def test_every_plan_of_the_documents_is_loaded(demo):
    slugs = set(demo.session.scalars(select(Plan.slug)))
    assert {"2015-2017", "2018-2020", "2021-2023", "2024-2026", "senat-2022"} <= slugs
    assert get_plan(demo, "2024-2026").commitments_announced == 17
    assert len(get_plan(demo, "2024-2026").axes) == 3


def test_loaded_statuses_start_the_public_history_at_the_document_date(demo):
    plan = get_plan(demo, "2015-2017")
    first = commitments_of(demo, plan)[0]
    changes = demo.session.scalars(
        select(StatusChange).where(
            StatusChange.commitment_id == first.id, StatusChange.action_id.is_(None)
        )
    ).all()
    assert {(c.field, c.new_value) for c in changes} == {
        ("status", "substantial"),
        ("schedule", "on_time"),
    }
    assert all(c.changed_at.date().isoformat() == "2016-06-03" for c in changes)


def test_loading_only_if_empty_does_nothing_the_second_time(demo):
    before = demo.session.scalar(select(func.count(Commitment.id)))
    assert "nothing loaded" in load_demo_data(only_if_empty=True)
    assert demo.session.scalar(select(func.count(Commitment.id))) == before
