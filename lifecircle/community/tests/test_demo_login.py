import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from lifecircle.accounts import permissions
from lifecircle.accounts.models import Resident
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI


@pytest.mark.django_db
def test_demo_logins_work_and_reset(capsys):
    load_pack(MINI)
    call_command("demo_login")
    out = capsys.readouterr().out
    passwords = dict(line.split("user ")[1].split(", password ") for line in out.strip().splitlines())
    admin = authenticate(username="demo-admin", password=passwords["demo-admin"])
    assert admin.is_superuser
    resident = authenticate(username="demo-resident", password=passwords["demo-resident"]).resident
    adults, children = permissions.people_for(resident)
    assert len(adults) == 2 and len(children) == 1 and resident.is_verified
    call_command("demo_login")  # again: new passwords, no duplicates
    assert Resident.objects.count() == 2
    assert authenticate(username="demo-admin", password=passwords["demo-admin"]) is None
