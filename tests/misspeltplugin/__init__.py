"""A plugin whose AppConfig names a URLconf that does not exist: start-up must refuse it."""
