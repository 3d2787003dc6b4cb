"""Demo data of the newsroom and the library for ``seed_demo`` (``editorial.demo``)."""

from sotay_plugins.registry import DemoSeeder


def _seed(*, scale, seed, stdout=None):
    from . import demo

    return demo.seed(scale=scale, seed=seed, stdout=stdout)


def register(registry):
    registry.add_demo_seeder(DemoSeeder("editorial", _seed, order=50))
