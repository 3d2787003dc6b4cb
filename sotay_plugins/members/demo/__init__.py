"""Demo data of the members plugin, reached only from ``manage.py seed_demo`` (and
``demo_logins``, which names the accounts it made): ``names`` holds the Vietnamese names and
places, ``province`` builds the province. Nothing in the product imports this package."""
