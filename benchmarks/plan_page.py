"""Requests per second of the public pages (plan, commitment, home, agenda, event), as a ratio
to a bare Flask "hello" in the same run.

Usage: .venv/bin/python benchmarks/plan_page.py [--seconds 5] [--connections 8]
Starts both apps with gunicorn on loopback (same worker count), loads the demo data into a
throwaway SQLite database, warms up, measures, prints a table, and stops everything.
"""

import argparse

import common


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    common.add_load_options(parser)
    options = parser.parse_args()

    pages = {
        common.BASELINE: None,
        "plan page": "/plans/2015-2017/",
        "commitment page": "/plans/2015-2017/engagements/12",
        "home page": "/",
        "agenda": "/ateliers/",
        # The first upcoming demonstration event (the real 2016 one is number 1).
        "event page": "/ateliers/evenements/2",
    }
    with common.throwaway_instance() as (_, env):
        with common.servers(env, options.workers, "/plans/2015-2017/") as ports:
            results = common.measure(
                pages, ports, connections=options.connections, seconds=options.seconds
            )
    common.print_table(results)


if __name__ == "__main__":
    main()
