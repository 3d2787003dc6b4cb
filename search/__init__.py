"""Search for everything a member can find (issue 3 builds the index and views on this).

What is here now: ``folding.fold``, the Vietnamese-aware normalisation every search path
applies to text and queries alike, because Wagtail's database backend does not fold
diacritics on SQLite (and on PostgreSQL only with unaccent), and no backend folds đ to d.
"""
