def register(registry):
    """Registers what the exports part adds (capabilities, shell tabs, API routes...)."""
