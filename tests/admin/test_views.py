"""Administration pages: access, role changes through the form, search, pagination, the log."""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from consult.accounts.models import Institution
from consult.core import audit
from consult.core.audit import AuditEntry
from consult.core.db import db as _db
from consult.core.db import utcnow
from tests.factories import make_institution

PAGES = [
    "/admin/",
    "/admin/utilisateurs",
    "/admin/utilisateurs/{user}",
    "/admin/institutions",
    "/admin/institutions/nouvelle",
    "/admin/institutions/{institution}",
    "/admin/journal",
    "/admin/roles",
]


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", display_name="Alice Admin", locale="en")


@pytest.fixture
def institution(db):
    return make_institution(slug="senat", name="Sénat", kind="senate")


def _url(page, user, institution):
    return page.format(user=user.id, institution=institution.id)


def _entries(action=None, target_id=None):
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    if target_id is not None:
        query = query.where(AuditEntry.target_id == target_id)
    return list(_db.session.scalars(query))


@contextmanager
def count_statements():
    """The SQL statements run inside the block."""
    statements = []

    def record(connection, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(_db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(_db.engine, "before_cursor_execute", record)


# Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_the_log_in_page(client, make_user, institution, page):
    url = _url(page, make_user(), institution)
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion?next=")


@pytest.mark.parametrize("role", ["participant", "organiser", "moderator"])
def test_other_roles_get_the_access_denied_page(client, make_user, login_as, institution, role):
    user = make_user(role=role, institutions=[institution] if role == "organiser" else [])
    login_as(user)
    for page in PAGES:
        response = client.get(_url(page, user, institution))
        assert response.status_code == 403, page
        assert b'class="fr-header"' in response.data and b"Traceback" not in response.data
    response = client.post(f"/admin/utilisateurs/{user.id}", data={"role": "admin"})
    assert response.status_code == 403
    _db.session.refresh(user)
    assert user.role == role
    assert _entries("accounts.set_role") == []


@pytest.mark.parametrize("page", PAGES)
def test_every_page_answers_for_an_admin_with_one_title(
    client, login_as, admin, make_user, institution, page
):
    login_as(admin)
    response = client.get(_url(page, make_user(), institution))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<h1") == 1
    assert 'class="fr-sidemenu"' in html
    assert 'aria-current="page"' in html


def test_dashboard_counts_accounts_institutions_and_recent_entries(
    client, login_as, admin, make_user, institution
):
    make_user(role="moderator")
    make_user(role="moderator")
    make_user(role="organiser", institutions=[institution])
    audit.record(None, "test.recent", "thing", 1)
    old = audit.record(None, "test.old", "thing", 2)
    old.created_at = utcnow() - timedelta(days=8)
    _db.session.flush()
    login_as(admin)

    html = client.get("/admin/").get_data(as_text=True)

    table = html[html.index('id="accounts-by-role"') :]
    assert re.search(r"Moderator</a></th>\s*<td>2</td>", table)
    assert re.search(r"Organiser</a></th>\s*<td>1</td>", table)
    assert re.search(r"Administrator</a></th>\s*<td>1</td>", table)
    assert re.search(r"Total</th>\s*<td>4</td>", table)
    assert "1 institution:" in html
    # test.recent, and the log-in of the admin does not count: only test.old is too old.
    recent = len([e for e in _entries() if e.created_at >= utcnow() - timedelta(days=7)])
    assert f"{recent} entr" in html
    assert recent >= 1


# Changing a role ----------------------------------------------------------------------------


def test_role_change_through_the_form_is_saved_and_audited(
    client, login_as, admin, make_user, institution
):
    user = make_user(display_name="Bruno Participant")
    login_as(admin)

    response = client.post(
        f"/admin/utilisateurs/{user.id}",
        data={"role": "organiser", "institutions": [str(institution.id)]},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/utilisateurs/{user.id}"
    _db.session.refresh(user)
    assert user.role == "organiser"
    assert [i.slug for i in user.institutions] == ["senat"]
    [entry] = _entries("accounts.set_role")
    assert entry.actor_id == admin.id
    assert (entry.target_kind, entry.target_id) == ("user", user.id)
    assert entry.before == {"role": "participant", "institutions": []}
    assert entry.after == {"role": "organiser", "institutions": ["senat"]}

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The role of Bruno Participant is saved." in page
    history = page[page.index('id="history"') :]
    assert "Role changed" in history
    assert "Alice Admin" in history
    assert "Participant → Organiser" in history
    assert "— → senat" in history

    journal = client.get("/admin/journal").get_data(as_text=True)
    assert "Role changed" in journal
    assert f'href="/admin/utilisateurs/{user.id}">Bruno Participant</a>' in journal


def test_organiser_without_institution_gets_an_error_and_keeps_the_choice(
    client, login_as, admin, make_user, institution
):
    user = make_user()
    login_as(admin)

    response = client.post(f"/admin/utilisateurs/{user.id}", data={"role": "organiser"})

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "An organiser acts for at least one institution: choose one." in html
    assert "<title>Error – " in html
    assert re.search(r'<input checked id="role-1" name="role"[^>]*value="organiser"', html)
    assert 'class="fr-fieldset fr-fieldset--error" id="institutions"' in html
    _db.session.refresh(user)
    assert user.role == "participant"
    assert _entries("accounts.set_role") == []


def test_other_role_with_institutions_ticked_keeps_them_ticked_on_error(
    client, login_as, admin, make_user, institution
):
    user = make_user()
    login_as(admin)
    response = client.post(
        f"/admin/utilisateurs/{user.id}", data={"institutions": [str(institution.id)]}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choose a role." in html
    assert re.search(r'<input checked id="institutions-0"', html)


def test_unknown_institution_is_refused(client, login_as, admin, make_user, institution):
    user = make_user()
    login_as(admin)
    response = client.post(
        f"/admin/utilisateurs/{user.id}", data={"role": "organiser", "institutions": ["999999"]}
    )
    assert response.status_code == 422
    assert b"Choose among the proposed institutions." in response.data
    _db.session.refresh(user)
    assert user.role == "participant"


def test_last_admin_cannot_demote_themself(client, login_as, admin):
    login_as(admin)

    response = client.post(f"/admin/utilisateurs/{admin.id}", data={"role": "participant"})

    assert response.status_code == 422
    assert b"This is the last administrator: name another one first." in response.data
    assert re.search(rb'<input checked id="role-0" name="role"', response.data)
    _db.session.refresh(admin)
    assert admin.role == "admin"
    assert _entries("accounts.set_role") == []


def test_an_admin_may_step_down_once_another_admin_exists(client, login_as, admin, make_user):
    make_user(role="admin")
    login_as(admin)
    response = client.post(f"/admin/utilisateurs/{admin.id}", data={"role": "moderator"})
    assert response.status_code == 302
    _db.session.refresh(admin)
    assert admin.role == "moderator"
    # No longer an admin: the next page is refused.
    assert client.get(response.headers["Location"]).status_code == 403


def test_deleted_account_shows_no_form_and_refuses_a_role(client, login_as, admin, make_user):
    user = make_user()
    user.deleted_at = utcnow()
    _db.session.flush()
    login_as(admin)
    page = client.get(f"/admin/utilisateurs/{user.id}").get_data(as_text=True)
    assert "Deleted contributor" in page
    assert 'name="role"' not in page
    response = client.post(f"/admin/utilisateurs/{user.id}", data={"role": "moderator"})
    assert response.status_code == 422
    assert b"This account has been deleted." in response.data


def test_unknown_account_is_404(client, login_as, admin):
    login_as(admin)
    assert client.get("/admin/utilisateurs/999999").status_code == 404
    assert client.get("/admin/institutions/999999").status_code == 404


# Account list, search -----------------------------------------------------------------------


def test_exact_email_search_finds_the_account_without_showing_the_address(
    client, login_as, admin, make_user
):
    user = make_user(email="claire.martin@exemple.fr", display_name="Claire M.")
    make_user(email="claire.martin@exemple.fr.example", display_name="Someone else")
    login_as(admin)

    response = client.post(
        "/admin/utilisateurs/par-adresse", data={"email": "  Claire.Martin@EXEMPLE.fr "}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/utilisateurs/{user.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Claire M." in page
    assert "claire.martin" not in page.lower()


def test_partial_email_finds_nothing_and_is_not_echoed(client, login_as, admin, make_user):
    make_user(email="claire.martin@exemple.fr")
    login_as(admin)
    response = client.post("/admin/utilisateurs/par-adresse", data={"email": "claire.martin@"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "No account has this address." in html
    assert "claire.martin" not in html
    assert 'value=""' in html


def test_no_admin_page_ever_shows_an_email_address(client, login_as, admin, make_user, institution):
    organiser = make_user(email="orga.secret@exemple.fr", display_name="Orga")
    login_as(admin)
    client.post(
        f"/admin/utilisateurs/{organiser.id}",
        data={"role": "organiser", "institutions": [str(institution.id)]},
    )
    client.post("/admin/utilisateurs/par-adresse", data={"email": "orga.secret@exemple.fr"})
    audit.record(admin, "other.thing", "user", organiser.id, {"email": "orga.secret@exemple.fr"})
    _db.session.flush()

    urls = [_url(page, organiser, institution) for page in PAGES]
    urls += [
        "/admin/utilisateurs?name=orga",
        "/admin/utilisateurs?role=organiser",
        "/admin/journal?actor=alice",
        "/admin/journal?action=other.thing",
    ]
    for url in urls:
        html = client.get(url).get_data(as_text=True)
        assert "@exemple.fr" not in html, url
        assert "orga.secret" not in html, url
        assert admin.email not in html, url


def test_users_are_filtered_by_name_ignoring_case_and_by_role(
    client, login_as, admin, make_user, institution
):
    make_user(display_name="Zoé Dupont", role="moderator")
    make_user(display_name="Marc DUPONT", role="organiser", institutions=[institution])
    make_user(display_name="Nadia 100%")
    login_as(admin)

    html = client.get("/admin/utilisateurs?name=dupont").get_data(as_text=True)
    assert "Zoé Dupont" in html and "Marc DUPONT" in html and "Alice Admin" not in html
    assert 'value="dupont"' in html

    html = client.get("/admin/utilisateurs?name=dupont&role=organiser").get_data(as_text=True)
    assert "Marc DUPONT" in html and "Zoé Dupont" not in html
    assert "Sénat" in html

    # "%" is a character to find, not a wildcard.
    html = client.get("/admin/utilisateurs?name=%25").get_data(as_text=True)
    assert "Nadia 100%" in html and "Zoé Dupont" not in html

    # A tampered role filters nothing out, and the page still answers.
    response = client.get("/admin/utilisateurs?role=king")
    assert response.status_code == 200
    assert "Zoé Dupont" in response.get_data(as_text=True)


def test_users_list_shows_role_verification_and_deleted_accounts(
    client, login_as, admin, make_user
):
    make_user(display_name="Pas vérifié", verified=False)
    gone = make_user(display_name="Ancien nom")
    gone.deleted_at = utcnow()
    _db.session.flush()
    login_as(admin)
    html = client.get("/admin/utilisateurs").get_data(as_text=True)
    row = re.search(r"Pas vérifié</a></th>(.*?)</tr>", html, re.S).group(1)
    assert "Participant" in row and "<td>No</td>" in row
    assert "Deleted contributor" in html
    assert "Ancien nom" not in html
    assert "<caption>" in html


def test_users_list_has_numbered_pages_of_fifty(client, login_as, admin, make_user):
    for number in range(60):
        make_user(display_name=f"Membre {number:02d}", role="moderator")
    login_as(admin)

    first = client.get("/admin/utilisateurs?role=moderator").get_data(as_text=True)
    assert first.count('<th scope="row"><a href="/admin/utilisateurs/') == 50
    assert '<nav role="navigation" class="fr-pagination' in first
    assert re.search(r'<a class="fr-pagination__link"[^>]*aria-current="page"[^>]*>1</a>', first)
    assert 'href="/admin/utilisateurs?page=2&amp;role=moderator"' in first

    second = client.get("/admin/utilisateurs?role=moderator&page=2").get_data(as_text=True)
    assert second.count('<th scope="row"><a href="/admin/utilisateurs/') == 10
    assert re.search(r'<a class="fr-pagination__link"[^>]*aria-current="page"[^>]*>2</a>', second)
    assert "Membre 00" in second  # newest first: the first created come last

    assert client.get("/admin/utilisateurs?page=9").status_code == 404


def test_users_list_statement_count_does_not_grow_with_the_rows(client, login_as, admin, make_user):
    first = make_institution()
    make_user(role="organiser", institutions=[first])
    login_as(admin)
    client.get("/admin/utilisateurs")  # warm-up

    with count_statements() as few:
        assert client.get("/admin/utilisateurs").status_code == 200
    for _ in range(49):
        make_user(role="organiser", institutions=[first, make_institution()])
    with count_statements() as many:
        html = client.get("/admin/utilisateurs").get_data(as_text=True)

    assert html.count('<th scope="row"><a href="/admin/utilisateurs/') == 50
    assert len(many) == len(few)
    assert len(few) <= 10


def test_journal_statement_count_does_not_grow_with_the_rows(client, login_as, admin, make_user):
    def add_entries(count):
        for _ in range(count):
            audit.record(admin, "accounts.set_role", "user", make_user().id, {"role": "a"}, {})
            audit.record(None, "accounts.update_institution", "institution", make_institution().id)
        _db.session.flush()

    add_entries(1)
    login_as(admin)
    client.get("/admin/journal")  # warm-up
    with count_statements() as few:
        client.get("/admin/journal")
    add_entries(24)
    with count_statements() as many:
        html = client.get("/admin/journal").get_data(as_text=True)
    assert html.count("Role changed<br>") == 25
    assert len(many) == len(few)


# Institutions -------------------------------------------------------------------------------


def test_create_institution_through_the_form_is_audited(client, login_as, admin):
    login_as(admin)
    response = client.post(
        "/admin/institutions/nouvelle",
        data={
            "slug": "assemblee-nationale",
            "name": "Assemblée nationale",
            "short_name": "AN",
            "kind": "national_assembly",
        },
    )
    assert response.status_code == 302
    institution = _db.session.scalars(
        select(Institution).where(Institution.slug == "assemblee-nationale")
    ).one()
    [entry] = _entries("accounts.create_institution")
    assert entry.actor_id == admin.id
    assert entry.target_id == institution.id
    assert entry.before is None
    assert entry.after == {
        "slug": "assemblee-nationale",
        "name": "Assemblée nationale",
        "short_name": "AN",
        "kind": "national_assembly",
    }
    listing = client.get("/admin/institutions").get_data(as_text=True)
    assert "Assemblée nationale" in listing and "National Assembly" in listing


@pytest.mark.parametrize("slug", ["Ministere-Culture", "ministère", "ministere culture", "-x"])
def test_create_institution_refuses_a_bad_identifier_and_keeps_the_input(
    client, login_as, admin, slug
):
    login_as(admin)
    response = client.post(
        "/admin/institutions/nouvelle",
        data={"slug": slug, "name": "Ministère de la Culture", "kind": "ministry"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "lower-case letters without accents, digits and single hyphens" in html
    assert 'value="Ministère de la Culture"' in html
    assert 'href="#slug"' in html
    assert _db.session.scalar(select(Institution).where(Institution.slug == slug)) is None


def test_create_institution_refuses_a_taken_identifier(client, login_as, admin, institution):
    login_as(admin)
    response = client.post(
        "/admin/institutions/nouvelle",
        data={"slug": "senat", "name": "Autre Sénat", "kind": "senate"},
    )
    assert response.status_code == 422
    assert b"Another institution already uses this identifier" in response.data
    assert _entries("accounts.create_institution") == []


def test_edit_institution_records_before_and_after(client, login_as, admin, institution):
    login_as(admin)
    form = client.get(f"/admin/institutions/{institution.id}").get_data(as_text=True)
    assert 'value="senat"' in form and 'value="Sénat"' in form

    response = client.post(
        f"/admin/institutions/{institution.id}",
        data={"slug": "senat", "name": "Sénat", "short_name": "Sénat", "kind": "senate"},
    )

    assert response.status_code == 302
    [entry] = _entries("accounts.update_institution")
    assert entry.actor_id == admin.id
    assert entry.before["short_name"] is None
    assert entry.after["short_name"] == "Sénat"
    page = client.get(f"/admin/institutions/{institution.id}").get_data(as_text=True)
    assert "Institution updated" in page
    assert "Short name" in page and "— → Sénat" in page


def test_edit_institution_refuses_another_ones_identifier(client, login_as, admin, institution):
    other = make_institution(slug="culture", name="Culture")
    login_as(admin)
    response = client.post(
        f"/admin/institutions/{other.id}",
        data={"slug": "senat", "name": "Culture renamed", "kind": "ministry"},
    )
    assert response.status_code == 422
    assert b'value="Culture renamed"' in response.data
    _db.session.refresh(other)
    assert (other.slug, other.name) == ("culture", "Culture")


# Journal and role matrix --------------------------------------------------------------------


def test_journal_lists_newest_first_with_labels_and_filters(client, login_as, admin, make_user):
    bob = make_user(display_name="Bob Moderateur", role="moderator")
    first = audit.record(None, "accounts.sign_up", "user", bob.id, after={"role": "participant"})
    first.created_at = utcnow() - timedelta(hours=2)
    second = audit.record(bob, "petitions.answer", "petition", 7, {"status": "a"}, {"status": "b"})
    second.created_at = utcnow() - timedelta(hours=1)
    _db.session.flush()
    login_as(admin)

    html = client.get("/admin/journal").get_data(as_text=True)
    table = html[html.index('id="journal"') :]
    assert table.index("petitions.answer") < table.index("Account created")
    assert "System" in html  # the sign-up has no actor
    assert "petition #7" in html
    assert "a → b" in html
    assert re.search(r'<option value="accounts.sign_up">Account created</option>', html)

    by_action = client.get("/admin/journal?action=accounts.sign_up").get_data(as_text=True)
    assert "accounts.sign_up</code>" in by_action and "petitions.answer</th>" not in by_action

    by_actor = client.get("/admin/journal?actor=MODERATEUR").get_data(as_text=True)
    assert "petitions.answer</th>" in by_actor and "accounts.sign_up</code>" not in by_actor


def test_journal_has_numbered_pages_that_keep_the_filters(client, login_as, admin):
    for number in range(51):
        audit.record(admin, "test.bulk", "thing", number)
    _db.session.flush()
    login_as(admin)
    html = client.get("/admin/journal?action=test.bulk").get_data(as_text=True)
    assert html.count("test.bulk</th>") == 50
    assert 'href="/admin/journal?page=2&amp;action=test.bulk"' in html
    second = client.get("/admin/journal?action=test.bulk&page=2").get_data(as_text=True)
    assert second.count("test.bulk</th>") == 1
