"""Demo data (filled in below)."""


def register_seeder(registry):
    pass
