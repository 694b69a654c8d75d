"""Registrations through the access layer (issue 10): a former proxy no longer lists the
registrations they made for the principal, and a proxy's read of them is audited."""
import datetime

import pytest

from lifecircle.accounts.models import AccessLog
from lifecircle.accounts.permissions import revoke
from lifecircle.accounts.testing import make_consent, make_resident
from lifecircle.bookings import services

from .test_events import lecture  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_a_former_proxy_no_longer_lists_the_principals_registrations(client, clock, lecture, resident, home):  # noqa: F811
    grandma = make_resident(home, "张秀英", datetime.date(1945, 8, 9), email="zhang@example.org")
    consent = make_consent(principal=grandma, proxy=resident)
    services.register(resident.user, lecture, grandma)
    client.force_login(resident.user)
    listed = client.get("/api/bookings/me/registrations").json()
    assert [r["id"] for r in listed] and AccessLog.objects.filter(user=resident.user, resident=grandma).count() == 1
    revoke(consent)
    assert client.get("/api/bookings/me/registrations").json() == []
    client.force_login(grandma.user)
    assert len(client.get("/api/bookings/me/registrations").json()) == 1  # still hers
