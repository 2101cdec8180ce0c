"""Page 1 of a thread of 10,000 contributions against a thread of 20, in the same run.

Usage: .venv/bin/python benchmarks/thread_page.py [--seconds 10] [--rounds 5] [--connections 8]
       [--contributions 10000] [--replies 3000] [--users 300]

Loads the demo data into a throwaway SQLite database, then seeds two threads in bulk (core
inserts, counters computed as the services keep them, checked by COUNT afterwards): a big one on
one commitment and a small one of 20 contributions on a commitment of the same size. Serves
consult and the bare Flask baseline with gunicorn on loopback and measures page 1 of each
commitment page, a deep page of the big thread, and the baseline. The target: page 1 of the big
thread takes the same time as page 1 of the small one, within 1.5 times.
"""

import argparse
import http.client
import random
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import common
from sqlalchemy import create_engine, func, insert, select, text

from consult.accounts.models import User, organiser_institutions
from consult.discussions.models import Contribution, TargetKind, Thread
from consult.plans.models import Commitment, Plan, commitment_institutions

PLAN = "2015-2017"
#: Two commitments of the same plan with as many actions, status changes and words.
BIG_COMMITMENT, SMALL_COMMITMENT = 12, 13
SMALL_THREAD = 20
DEEP_PAGE = 300
#: Argon2id of "benchmark-password", computed once: hashing takes some 50 ms per author.
PASSWORD_HASH = "$argon2id$v=19$m=65536,t=3,p=4$LvBq1z5BbtI0uUs5jZUr+g$OsEuA5o9yDXKcWOwKJhDpBF6YAjji6vfC/5y+1LbhRI"  # noqa: E501, S105
MAX_DEPTH = 3
#: A reply answers one of the latest contributions: conversations happen close in time.
REPLY_WINDOW = 200

FIRST_NAMES = ("Camille", "Dominique", "Claude", "Sacha", "Alix", "Morgane", "Yanis", "Inès",
               "Hugo", "Léa", "Mathis", "Chloé", "Nora", "Louis", "Jade", "Malik")  # fmt: skip
LAST_INITIALS = "ABCDEFGHJKLMNPRSTVW"
SENTENCES = (
    "Les données de cet engagement devraient être publiées dans un format ouvert.",
    "Quel est le calendrier prévu pour la prochaine étape ?",
    "Merci pour ce point d'étape, il manque toutefois les indicateurs de suivi.",
    "Dans ma commune, la consultation s'est tenue sans que les habitants en soient informés.",
    "Il serait utile de **préciser** quelles administrations sont concernées.",
    "Je rejoins l'avis précédent : la méthode mérite d'être expliquée.",
    "Le rapport d'évaluation indépendant relevait déjà ce retard.",
    "Une version en langage clair aiderait beaucoup de lecteurs.",
    "Les associations locales pourraient être associées aux ateliers.",
    "Voir aussi la page du plan précédent, qui traitait du même sujet.",
)


def parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    common.add_load_options(parser)
    parser.add_argument("--contributions", type=int, default=10_000, help="in the big thread")
    parser.add_argument("--replies", type=int, default=3_000, help="of which replies")
    parser.add_argument("--users", type=int, default=300, help="verified authors")
    parser.add_argument("--rounds", type=int, default=5, help="turns the pages take")
    parser.set_defaults(seconds=10.0)
    return parser.parse_args()


def main() -> None:
    options = parse_options()
    base = f"/plans/{PLAN}/engagements"
    pages = {
        common.BASELINE: None,
        "big thread p1": f"{base}/{BIG_COMMITMENT}",
        "small thread p1": f"{base}/{SMALL_COMMITMENT}",
        f"big thread p{DEEP_PAGE}": f"{base}/{BIG_COMMITMENT}?page={DEEP_PAGE}",
    }
    with common.throwaway_instance() as (instance, env):
        summary = seed(instance / "consult.db", options)
        with common.servers(env, options.workers, pages["small thread p1"]) as ports:
            shown = {
                name: contributions_shown(ports[1], path)
                for name, path in pages.items()
                if path is not None
            }
            results = common.measure(
                pages,
                ports,
                connections=options.connections,
                seconds=options.seconds,
                rounds=options.rounds,
            )
    print(summary)
    print("Contributions on the page: " + ", ".join(f"{n} {c}" for n, c in shown.items()) + ".")
    common.print_table(results)
    big, small = results["big thread p1"], results["small thread p1"]
    deep = results[f"big thread p{DEEP_PAGE}"]
    time_ratio = small.rps / big.rps if big.rps else float("inf")
    deep_ratio = small.rps / deep.rps if deep.rps else float("inf")
    p50_ratio = big.percentile(50) / small.percentile(50) if small.percentile(50) else 0
    verdict = "met" if time_ratio <= 1.5 else "NOT met"
    print(
        f"\nbig/small time ratio: {time_ratio:.2f} (target <= 1.5: {verdict}); "
        f"p50 ratio {p50_ratio:.2f}; p{DEEP_PAGE}/small {deep_ratio:.2f}"
    )


def contributions_shown(port: int, path: str) -> int:
    """How many contributions the page shows, replies included: rendering grows with them."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        html = connection.getresponse().read().decode()
    finally:
        connection.close()
    return len(set(re.findall(r'id="contribution-(\d+)"', html)))


# Seeding -------------------------------------------------------------------------------------


def seed(database: Path, options) -> str:
    """Bulk-insert the authors and both threads, then check every counter by COUNT."""
    rng = random.Random(2015)
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        commitments = {
            number: connection.execute(
                select(Commitment.id, Commitment.plan_id)
                .join(Plan, Plan.id == Commitment.plan_id)
                .where(Plan.slug == PLAN, Commitment.number == number)
            ).one()
            for number in (BIG_COMMITMENT, SMALL_COMMITMENT)
        }
        authors = insert_users(connection, options.users)
        next_id = (connection.scalar(select(func.max(Contribution.id))) or 0) + 1
        now = datetime.now(UTC).replace(microsecond=0)
        threads = []
        for number, total, replies, official, days in (
            (BIG_COMMITMENT, options.contributions, options.replies, 3, 120),
            (SMALL_COMMITMENT, SMALL_THREAD, SMALL_THREAD * 3 // 10, 1, 10),
        ):
            commitment_id, plan_id = commitments[number]
            organiser = insert_organiser(connection, commitment_id, number)
            thread_id = insert_thread(
                connection,
                rng,
                commitment_id=commitment_id,
                plan_id=plan_id,
                first_id=next_id,
                total=total,
                replies=replies,
                officials=official,
                authors=authors,
                organiser=organiser,
                start=now - timedelta(days=days),
                end=now,
            )
            threads.append(thread_id)
            next_id += total
    with engine.connect() as connection:
        check_counters(connection, threads)
    engine.dispose()
    return (
        f"Seeded {options.users} authors; thread on commitment {BIG_COMMITMENT}: "
        f"{options.contributions} contributions ({options.replies} replies); thread on "
        f"commitment {SMALL_COMMITMENT}: {SMALL_THREAD}. Counters checked."
    )


def insert_users(connection, count: int) -> list[int]:
    now = datetime.now(UTC)
    rows = [
        {
            "email": f"participant{number}@benchmark.example",
            "display_name": f"{FIRST_NAMES[number % len(FIRST_NAMES)]} "
            f"{LAST_INITIALS[number % len(LAST_INITIALS)]}. {number}",
            "password_hash": PASSWORD_HASH,
            "role": "participant",
            "locale": "fr",
            "email_verified_at": now,
            "notify_replies": False,
            "notify_events": False,
            "notify_petitions": False,
            "created_at": now - timedelta(days=200),
        }
        for number in range(count)
    ]
    connection.execute(insert(User.__table__), rows)
    return list(
        connection.scalars(select(User.id).where(User.email.like("participant%@benchmark.example")))
    )


def insert_organiser(connection, commitment_id: int, number: int) -> tuple[int, int]:
    """An organiser of the commitment's first institution: (user id, institution id)."""
    institution_id = connection.scalar(
        select(commitment_institutions.c.institution_id)
        .where(commitment_institutions.c.commitment_id == commitment_id)
        .order_by(commitment_institutions.c.position)
        .limit(1)
    )
    now = datetime.now(UTC)
    user_id = connection.execute(
        insert(User.__table__).values(
            email=f"organiser{number}@benchmark.example",
            display_name=f"Organiser {number}",
            password_hash=PASSWORD_HASH,
            role="organiser",
            locale="fr",
            email_verified_at=now,
            created_at=now - timedelta(days=200),
        )
    ).inserted_primary_key[0]
    connection.execute(
        insert(organiser_institutions).values(user_id=user_id, institution_id=institution_id)
    )
    return user_id, institution_id


def insert_thread(
    connection,
    rng: random.Random,
    *,
    commitment_id: int,
    plan_id: int,
    first_id: int,
    total: int,
    replies: int,
    officials: int,
    authors: list[int],
    organiser: tuple[int, int],
    start: datetime,
    end: datetime,
) -> int:
    """One thread of `total` visible contributions, `replies` of them replies up to depth 3,
    in time order; counters computed as the services keep them."""
    is_reply = [False] + rng.sample([True] * replies + [False] * (total - replies - 1), total - 1)
    top_level_positions = [i for i, reply in enumerate(is_reply) if not reply]
    official_positions = set(
        rng.sample(top_level_positions, min(officials, len(top_level_positions)))
    )
    step = (end - start) / total
    rows, eligible = [], []  # eligible: rows that may still be answered (depth < 3)
    by_id = {}
    for position in range(total):
        row_id = first_id + position
        parent = rng.choice(eligible[-REPLY_WINDOW:]) if is_reply[position] else None
        official = position in official_positions
        author_id, institution_id = organiser if official else (rng.choice(authors), None)
        row = {
            "id": row_id,
            "thread_id": None,
            "parent_id": parent["id"] if parent else None,
            "root_id": (parent["root_id"] or parent["id"]) if parent else None,
            "depth": parent["depth"] + 1 if parent else 0,
            "author_id": author_id,
            "body": body(rng),
            "status": "published",
            "is_visible": True,
            "held_reason": None,
            "is_official": official,
            "institution_id": institution_id,
            "reply_count": 0,
            "open_report_count": 0,
            "reviewed_at": None,
            "claimed_by_id": None,
            "claimed_at": None,
            "is_hidden_by_block": False,
            "created_at": start + step * position + timedelta(seconds=rng.randint(0, 5)),
            "edited_at": None,
            "withdrawn_at": None,
        }
        rows.append(row)
        by_id[row_id] = row
        if row["depth"] < MAX_DEPTH:
            eligible.append(row)
        ancestor = parent
        while ancestor is not None:
            ancestor["reply_count"] += 1
            ancestor = by_id.get(ancestor["parent_id"])
    thread_id = connection.execute(
        insert(Thread.__table__).values(
            target_kind=TargetKind.COMMITMENT.value,
            target_id=commitment_id,
            plan_id=plan_id,
            is_closed=False,
            contribution_count=total,
            top_level_count=total - replies,
            created_at=rows[0]["created_at"],
            last_contribution_at=rows[-1]["created_at"],
        )
    ).inserted_primary_key[0]
    for row in rows:
        row["thread_id"] = thread_id
    connection.execute(insert(Contribution.__table__), rows)
    return thread_id


def body(rng: random.Random) -> str:
    first = " ".join(rng.sample(SENTENCES, rng.randint(1, 3)))
    if rng.random() < 0.3:
        return f"{first}\n\n{' '.join(rng.sample(SENTENCES, rng.randint(1, 2)))}"
    return first


def check_counters(connection, thread_ids: list[int]) -> None:
    """The thread counters and every reply_count against COUNTs of the rows: stop on a mismatch."""
    problems = []
    for thread_id in thread_ids:
        thread = connection.execute(select(Thread).where(Thread.id == thread_id)).one()
        visible = (Contribution.thread_id == thread_id) & Contribution.is_visible.is_(True)
        shown = connection.scalar(
            select(func.count()).where(visible, Contribution.withdrawn_at.is_(None))
        )
        top_level = connection.scalar(
            select(func.count()).where(visible, Contribution.parent_id.is_(None))
        )
        if (shown, top_level) != (thread.contribution_count, thread.top_level_count):
            problems.append(
                f"thread {thread_id}: counters {thread.contribution_count}/"
                f"{thread.top_level_count}, rows {shown}/{top_level}"
            )
    # Every (contribution, ancestor) pair, then the descendants of each ancestor.
    wrong_reply_counts = connection.scalar(
        text(
            """
            WITH RECURSIVE pairs(id, ancestor) AS (
                SELECT id, parent_id FROM contributions WHERE parent_id IS NOT NULL
                UNION ALL
                SELECT pairs.id, c.parent_id
                FROM pairs JOIN contributions c ON c.id = pairs.ancestor
                WHERE c.parent_id IS NOT NULL
            ),
            counted AS (SELECT ancestor AS id, COUNT(*) AS n FROM pairs GROUP BY ancestor)
            SELECT COUNT(*) FROM contributions c LEFT JOIN counted ON counted.id = c.id
            WHERE c.reply_count != COALESCE(counted.n, 0)
            """
        )
    )
    if wrong_reply_counts:
        problems.append(f"{wrong_reply_counts} contributions with a wrong reply_count")
    if problems:
        sys.exit("Seeded counters do not match the rows: " + "; ".join(problems))


if __name__ == "__main__":
    main()
