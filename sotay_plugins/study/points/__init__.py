"""Points and rankings (issue 13, Thái Bình's "điểm tích lũy"): the ledger of points earned under
the rules plugins register (``registry.add_point_rule``), each province's yearly target and
settings, and the leaderboards of cells, base organisations, district-level units and the
province, precomputed by a job.

- ``models``: the ledger (``PointLine``), the province settings and rule overrides, the boards;
- ``rules``: the rules in effect for a province (registry + overrides);
- ``ledger``: applying an event (dedupe, caps, refusals) and manual adjustments;
- ``boards``: the refresh job and reading the boards in scope;
- ``views``/``api``/``admin``: the member pages, the API, the Wagtail admin;
- ``demo``: the demo seeder.
"""
