"""The reports plugin's models, one module per concern (rollups, exports), gathered here for
Django."""
