"""A centre manager edits their own facility and its rooms in the staff console, nobody else's (issue 10)."""
import pytest

from lifecircle.accounts.models import StaffRole
from lifecircle.accounts.testing import make_staff
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility, Room

pytestmark = pytest.mark.django_db


def test_a_centre_manager_sees_and_edits_only_their_facilities(client):
    mini = load_pack(MINI)
    center, canteen = Facility.objects.get(code="center"), Facility.objects.get(code="canteen")
    client.force_login(make_staff(StaffRole.Role.CENTRE_MANAGER, mini, facility=center))
    listing = client.get("/admin/directory/facility/").content.decode()
    assert center.name in listing and canteen.name not in listing
    assert client.get(f"/admin/directory/facility/{canteen.pk}/change/").status_code == 302
    response = client.post(f"/admin/directory/facility/{canteen.pk}/change/", {"name": "改名"})
    assert response.status_code == 302
    canteen.refresh_from_db()
    assert canteen.name != "改名"
    others = Room.objects.exclude(facility=center)
    rooms = client.get("/admin/directory/room/").content.decode()
    assert all(f"/admin/directory/room/{room.pk}/change/" not in rooms for room in others)
    for room in others:
        assert client.get(f"/admin/directory/room/{room.pk}/change/").status_code == 302
