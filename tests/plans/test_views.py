import re

import pytest
from sqlalchemy import select

from consult.plans.models import StatusChange
from tests.factories import make_commitment, make_institution, make_plan


@pytest.fixture
def ministry(db):
    return make_institution(slug="ministere-interieur-test", name="Ministère de l'Intérieur")


@pytest.fixture
def plan(db, ministry):
    plan = make_plan(slug="2015-2017")
    make_commitment(plan, institutions=[ministry], status="partial", schedule="delayed")
    make_commitment(plan, status="substantial", schedule="on_time")
    make_commitment(plan, institutions=[ministry], status="complete", schedule="on_time")
    return plan


def rows_of(page: str) -> list[str]:
    table = page.split('id="summary-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr>\s*<td>(\d+)</td>", table)


def test_plan_page_shows_the_summary_table_and_the_chart(client, plan):
    page = client.get("/plans/2015-2017/").get_data(as_text=True)
    assert rows_of(page) == ["1", "2", "3"]
    assert "<caption>" in page and 'id="progress-table"' in page
    assert page.count("<h1") == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("avancement=partial", ["1"]),
        ("calendrier=on_time", ["2", "3"]),
        ("institution=ministere-interieur-test", ["1", "3"]),
        ("institution=ministere-interieur-test&avancement=complete", ["3"]),
        ("axe=1", ["1", "2", "3"]),
        ("axe=9", []),
        ("avancement=<script>", ["1", "2", "3"]),
    ],
)
def test_summary_table_filters_are_plain_get_parameters(client, plan, query, expected):
    response = client.get(f"/plans/2015-2017/?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<script>" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    if expected:
        assert rows_of(page) == expected
    else:
        assert 'id="summary-table"' not in page


def test_commitment_and_action_pages_and_their_permalinks(client, plan):
    commitment = plan_commitment(client, plan)
    page = client.get("/plans/2015-2017/engagements/1")
    assert page.status_code == 200
    assert "Des enjeux." in page.get_data(as_text=True)
    assert client.get("/plans/2015-2017/engagements/1/actions/1").status_code == 200
    moved = client.get(f"/engagements/{commitment.id}")
    assert moved.status_code == 301
    assert moved.headers["Location"] == "/plans/2015-2017/engagements/1"
    action = commitment.actions[0]
    assert (
        client.get(f"/actions/{action.id}").headers["Location"].endswith("/engagements/1/actions/1")
    )


def plan_commitment(client, plan):
    from consult.plans import queries

    return queries.get_commitment(plan, 1)


@pytest.mark.parametrize(
    "url",
    [
        "/plans/inconnu/",
        "/plans/2015-2017/engagements/99",
        "/plans/2015-2017/engagements/1/actions/99",
        "/engagements/999999",
        "/actions/999999",
    ],
)
def test_unknown_plan_commitment_or_action_is_404(client, plan, url):
    assert client.get(url).status_code == 404


def test_organiser_updates_an_action_status_and_sees_it_in_the_history(
    client, plan, ministry, make_user, login_as, db
):
    login_as(make_user(role="organiser", institutions=[ministry]))
    url = "/manage/plans/2015-2017/engagements/1/actions/1/avancement"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"change": "status:complete", "note": "Données publiées."})
    assert response.status_code == 302
    page = client.get("/plans/2015-2017/engagements/1/actions/1").get_data(as_text=True)
    assert "Données publiées." in page
    assert db.session.scalar(select(StatusChange.new_value)) == "complete"


def test_status_form_errors_keep_the_input(client, plan, ministry, make_user, login_as):
    login_as(make_user(role="organiser", institutions=[ministry]))
    url = "/manage/plans/2015-2017/engagements/1/avancement"
    no_note = client.post(url, data={"change": "status:complete", "note": ""})
    assert no_note.status_code == 422
    assert '<option selected value="status:complete">' in no_note.get_data(as_text=True)
    same = client.post(url, data={"change": "status:partial", "note": "Explication gardée"})
    assert same.status_code == 422
    assert "Explication gardée" in same.get_data(as_text=True)


def test_organiser_of_another_institution_gets_403(client, plan, make_user, login_as):
    login_as(make_user(role="organiser", institutions=[make_institution()]))
    assert client.get("/manage/plans/2015-2017/engagements/1/avancement").status_code == 403
    response = client.post(
        "/manage/plans/2015-2017/engagements/1/avancement",
        data={"change": "status:complete", "note": "Non autorisé"},
    )
    assert response.status_code == 403
    assert client.get("/manage/plans/2015-2017/engagements/2/textes").status_code == 403


def test_anonymous_is_sent_to_log_in(client, plan):
    response = client.get("/manage/plans/2015-2017/engagements/1/avancement")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_concurrent_text_edits_do_not_overwrite_each_other(
    client, plan, ministry, make_user, login_as
):
    login_as(make_user(role="organiser", institutions=[ministry]))
    url = "/manage/plans/2015-2017/engagements/1/textes"
    form = {"version": "1", "issues": "Des enjeux.", "description": "Une description."}
    first = client.post(url, data={**form, "title": "Version de Alice"})
    assert first.status_code == 302
    second = client.post(url, data={**form, "title": "Version de Bob"})
    assert second.status_code == 409 or second.status_code == 422
    page = second.get_data(as_text=True)
    assert "Version de Bob" in page  # what Bob typed is kept
    assert "Version de Alice" in page  # and he sees what Alice saved
    versions = client.get("/plans/2015-2017/engagements/1/versions").get_data(as_text=True)
    assert "<ins>" in versions and "Alice" in versions


def test_admin_builds_a_plan_through_the_pages(client, make_user, login_as, db):
    login_as(make_user(role="admin"))
    bad = client.post(
        "/manage/plans/",
        data={"slug": "Pas Bon", "title": "Plan", "kind": "national", "period_start": "2026"},
    )
    assert bad.status_code == 422 and 'value="Pas Bon"' in bad.get_data(as_text=True)
    created = client.post(
        "/manage/plans/",
        data={
            "slug": "2026-2028",
            "title": "Plan 2026",
            "kind": "national",
            "period_start": "2026",
            "period_end": "2028",
            "institution": "0",
        },
    )
    assert created.status_code == 302
    client.post(
        "/manage/plans/2026-2028/", data={"form": "axis", "axis-title": "Rendre des comptes"}
    )
    ministry = make_institution()
    added = client.post(
        "/manage/plans/2026-2028/",
        data={
            "form": "commitment",
            "commitment-title": "Ouvrir les données",
            "commitment-axis": "0",
            "commitment-institutions": str(ministry.id),
        },
    )
    assert added.status_code == 302
    page = client.get("/plans/2026-2028/").get_data(as_text=True)
    assert "Ouvrir les données" in page and "Rendre des comptes" in page


def test_organisers_cannot_build_plans(client, make_user, login_as):
    login_as(make_user(role="organiser", institutions=[make_institution()]))
    assert client.get("/manage/plans/").status_code == 403


def page_statements(client, db, count_statements, slug, size):
    plan = make_plan(slug=slug)
    for _ in range(size):
        make_commitment(plan, actions=1)
    big = make_commitment(plan, actions=size)
    from consult.accounts.system import SystemActor
    from consult.plans import services

    for index in range(size):
        services.update_status(
            SystemActor(),
            big,
            field="status",
            value=("complete", "partial")[index % 2],
            note="Suivi",
        )
    db.session.commit()
    with count_statements() as plan_page:
        assert client.get(f"/plans/{slug}/").status_code == 200
    with count_statements() as commitment_page:
        assert client.get(f"/plans/{slug}/engagements/{big.number}").status_code == 200
    return plan_page["n"], commitment_page["n"]


def test_plan_and_commitment_pages_use_a_fixed_number_of_statements(client, db, count_statements):
    small = page_statements(client, db, count_statements, "petit", 5)
    large = page_statements(client, db, count_statements, "grand", 60)
    assert small == large
    # The commitment page: one more for its related contributions (workshop restitutions).
    assert small[0] <= 6 and small[1] <= 9, small
