"""Political study (SPEC.md module 3): resolutions and their outlines, study plans and sessions,
implementation plans, quizzes, the points ledger and the leaderboards.

One plugin with several concerns, each in its own subpackage (``resolutions/``, ``plans/``,
``quizzes/``, ``points/``), wired explicitly in ``apps.py``, ``models.py``, ``urls.py`` and
``wagtail_hooks.py``.
"""
