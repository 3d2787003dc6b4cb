"""The study plugin's models, one module per concern, gathered here for Django."""
