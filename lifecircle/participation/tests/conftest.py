"""Fixtures: the MINI pack, residents inside and outside it, a moderator, representatives and a
process with fixed phase dates (tests set the day with ``helpers.on``)."""
import datetime
from types import SimpleNamespace

import pytest

from lifecircle.accounts.models import StaffRole
from lifecircle.accounts.testing import make_household, make_resident, make_staff, make_user
from lifecircle.community.models import Compound, SubDistrict
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility
from lifecircle.participation.models import Phase, Process, Representative
from lifecircle.testing import client, english  # noqa: F401  (fixtures shared by the apps' tests)

from .helpers import PHASES


@pytest.fixture(autouse=True)
def media_and_sessions(settings, tmp_path):
    """Photos go to a temporary folder; logins made on a pretended day stay valid on later ones.
    (Every test starts with no recorded posts: the root conftest empties the cache.)"""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SESSION_COOKIE_AGE = 20 * 365 * 24 * 3600


@pytest.fixture
def world(db):
    mini = load_pack(MINI)
    other = SubDistrict.objects.create(code="other", name="别的街道", name_en="Other Sub-district", city="上海市",
                                       district="静安区")
    elsewhere = Compound.objects.create(subdistrict=other, code="far", name="远处小区", lon=121.5, lat=31.3)
    centre = Facility.objects.get(code="center")
    alice = make_resident(make_household(Compound.objects.get(code="a")), "李红", datetime.date(1990, 3, 1),
                          email="li@example.org")
    bob = make_resident(make_household(Compound.objects.get(code="b")), "王小明", datetime.date(1985, 7, 2))
    carol = make_resident(make_household(Compound.objects.get(code="c")), "张丽", datetime.date(1979, 1, 9))
    unverified = make_resident(make_household(Compound.objects.get(code="a"), "2-202"), "赵未核", verified=False)
    outsider = make_resident(make_household(elsewhere), "钱外人", datetime.date(1970, 2, 2))
    moderator = make_staff(StaffRole.Role.CENTRE_MANAGER, mini, facility=centre)
    other_staff = make_staff(StaffRole.Role.ADMINISTRATOR, other)
    process = Process.objects.create(subdistrict=mini, slug="p", title="幸福家门口", title_en="Happiness at Your Doorstep",
                                     summary="测试流程")
    for kind, first, last in PHASES:
        Phase.objects.create(process=process, kind=kind, starts_on=first, ends_on=last)
    space = Process.objects.create(subdistrict=mini, slug="happy-18", kind=Process.Kind.SPACE, title="快乐18议事吧",
                                   title_en="Happy 18 discussion bar")
    rep = Representative.objects.create(user=make_user("rep-zhao"), subdistrict=mini, name="赵代表", name_en="Rep Zhao",
                                        title="区人大代表", facility=centre)
    other_rep = Representative.objects.create(user=make_user("rep-sun"), subdistrict=mini, name="孙代表")
    return SimpleNamespace(
        mini=mini, other=other, centre=centre, alice=alice, bob=bob, carol=carol, unverified=unverified,
        outsider=outsider, nobody=make_user("no-resident"), moderator=moderator, other_staff=other_staff,
        process=process, space=space, rep=rep, other_rep=other_rep,
    )
