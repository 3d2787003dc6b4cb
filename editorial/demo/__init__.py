"""Demo news and documents for ``seed_demo``: a living library. Not production code: reached only
through the ``DemoSeeder`` that ``editorial.apps`` registers (``editorial.demo.seed.seed``).

``seed.seed(scale=, seed=, stdout=)`` runs after ``seed_demo`` has built the province (units,
advisory bodies, members, staff). For a given ``--seed`` (and day: dates are relative to today) it
writes the same data:

- a section (``sections.section_for``) for the province, every district-level unit and some base
  organisations;
- news in the five categories (title, sapo, StreamField body, author, source, some featured) and
  documents of every kind (number such as "15-NQ/TU", "08-CT/HU", "120-KH/ĐU"; trích yếu;
  issued_on; the issuer's advisory body when it has one; audience = the issuer or one of its
  sub-units; a few with position or member-group filters; district and base plans "implement"
  provincial resolutions), each document with a real PDF (reportlab, Vietnamese font) in private
  storage;
- read receipts over the last 60 days, recent and provincial items read more.

Scales: ``tiny`` (~30 news, ~40 documents, each with its own PDF: ``make run`` on SQLite),
``small`` (a few hundred), ``province`` (~2,000 news, ~20,000 documents, ~2,000,000 receipts).

Speed: pages are not added one by one with ``add_child`` (tens of milliseconds each). The
section's children get their treebeard paths computed here, the ``wagtailcore_page`` rows go in
with ``bulk_create`` and the child table rows (``editorial_documentpage``…) with multi-row
INSERTs (Django's ``bulk_create`` refuses multi-table inheritance); then the section's
``numchild`` is set. Pages are live without revisions (Wagtail's editor opens them: it starts a
revision on the first save). Files: at ``small`` and ``province`` one PDF per kind and level is
stored, and every document gets its own ``LibraryFile`` row pointing at it. Receipts on
PostgreSQL: one ``INSERT … SELECT … generate_series``; elsewhere (SQLite, the tiny demo) rows
from Python.
"""
