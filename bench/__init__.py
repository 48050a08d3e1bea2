"""The scale benchmark (SPEC §8 "Scale"): `python -m bench` (or `make bench`).

It seeds one org, `bench`, at scale into the configured database (DATABASE_URL) — by default
1,000,000 activity entries, 10,000 members and 500 workspaces — then renders the console pages
that must stay interactive at that size (dashboard, users page, activity page filtered or not,
the activity CSV export) with Django's test client, side by side with Django's own admin
changelists on the same tables, and prints median/max milliseconds, SQL queries and rows per
page. On PostgreSQL it also prints the EXPLAIN ANALYZE summary of the activity page's queries.

- `bench.seeding`: the data (idempotent: a second run adds only what is missing),
- `bench.measuring`: the pages measured and how,
- `bench.plans`: the EXPLAIN summaries (PostgreSQL),
- `bench.report`: the tables (text on stdout, Markdown in bench/results/<database>.md),
- `bench.settings`: DEBUG off, `testserver` allowed, quiet logging.
"""
