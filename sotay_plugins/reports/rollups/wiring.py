def register(registry):
    """Registers what the rollups part adds (capabilities, shell tabs, API routes...)."""
