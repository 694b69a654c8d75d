import pytest
from django.core.cache import cache

from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI


@pytest.fixture
def mini(db):
    """The small test pack, between two empty caches (answers kept by the tests before cannot leak in)."""
    cache.clear()
    yield load_pack(MINI)
    cache.clear()
