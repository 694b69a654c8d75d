import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """These tests read the English messages; the site's default language is zh-hans."""
    with translation.override("en"):
        yield
