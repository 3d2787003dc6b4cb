import pytest
from osmem_server import OsmemServer

from search import indexing

from .helpers import make_world


@pytest.fixture(scope="session")
def osmem_server():
    """The stand-in OpenSearch (osmem-server, in memory), without its Japanese analysis."""
    server = OsmemServer.start(japanese=False)
    yield server
    server.close()


@pytest.fixture
def world(db):
    world = make_world()
    _indexed()
    return world


def _indexed():
    """Index the world at once; the sync jobs its saves left waiting (their on-commit never
    fires inside a test's transaction) are covered by it."""
    from sotay_plugins.models import OutboxJob

    indexing.rebuild()
    OutboxJob.objects.filter(func=indexing.SYNC_JOB).delete()


@pytest.fixture
def opensearch(osmem_url, settings):
    settings.OPENSEARCH_URL = osmem_url
    settings.ELASTICSEARCH_URL = ""
    return osmem_url


@pytest.fixture
def engine_world(opensearch, db):
    world = make_world()
    _indexed()
    return world
