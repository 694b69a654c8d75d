"""The illustrative participation demo: the named processes, idempotent, everything marked."""
import io
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from lifecircle.community.management.commands.load_demo import DEMO_PACK, app_demo_commands
from lifecircle.community.packs import load_pack
from lifecircle.participation import services
from lifecircle.participation.models import Process, Proposal, Representative, Thread, check_phase_order

from .helpers import VOTE_DAY, on

pytestmark = pytest.mark.django_db


def snapshot():
    rows = {}
    for label in ("participation", "accounts"):
        for model in apps.get_app_config(label).get_models():
            rows[model.__name__] = sorted(json.dumps(r, sort_keys=True, default=str) for r in model.objects.values())
    return rows


@pytest.fixture
def demo():
    load_pack(DEMO_PACK)
    with on(VOTE_DAY):
        call_command("load_participation_demo", stdout=io.StringIO())


def test_load_demo_runs_the_participation_demo():
    assert "load_participation_demo" in app_demo_commands()


def test_the_demo_needs_the_sub_district(db):
    with pytest.raises(CommandError, match="run load_demo first"):
        call_command("load_participation_demo", stdout=io.StringIO())


def test_the_demo_has_the_named_processes_in_different_phases(demo):
    titles = dict(Process.objects.values_list("slug", "title"))
    assert titles == {"happy-18": "快乐18议事吧", "happiness-partner": "幸福合伙人", "happiness-doorstep": "幸福家门口",
                      "happiness-cooperative": "幸福合作社"}
    assert Process.objects.get(slug="happy-18").is_space
    with on(VOTE_DAY):
        phases = {p.slug: p.current_phase().kind for p in Process.objects.exclude(slug="happy-18")}
    assert phases == {"happiness-partner": "vote", "happiness-doorstep": "collect", "happiness-cooperative": "report_back"}
    for process in Process.objects.all():
        check_phase_order(list(process.phases.all()))


def test_the_demo_is_marked_illustrative_and_placed_inside_the_sub_district(demo):
    assert not Process.objects.filter(illustrative=False).exists()
    assert not Proposal.objects.filter(illustrative=False).exists()
    assert not Representative.objects.filter(illustrative=False).exists()
    assert not Thread.objects.filter(illustrative=False).exists()
    subdistrict = Process.objects.first().subdistrict
    for proposal in Proposal.objects.filter(lon__isnull=False):
        services.check_location(subdistrict, proposal.lon, proposal.lat)
    adopted = Proposal.objects.filter(status="adopted")
    assert adopted.exists() and all(p.follow_ups.exists() for p in adopted)
    assert Thread.objects.filter(is_public=False).exists() and Thread.objects.filter(is_public=True).exists()
    stats = services.response_stats(Representative.objects.get(name="赵示例"))
    assert stats["answered"] == 2 and stats["median_hours"] == 65.0


def test_loading_the_demo_twice_changes_nothing(demo):
    first = snapshot()
    with on(VOTE_DAY):
        call_command("load_participation_demo", stdout=io.StringIO())
    assert snapshot() == first


def test_the_demo_pages_render(client, demo):
    with on(VOTE_DAY):
        for url in ("/participation/", "/participation/p/happy-18/", "/participation/p/happiness-partner/",
                    "/participation/p/happiness-cooperative/", "/participation/representatives/"):
            assert client.get(url).status_code == 200, url
        layer = client.get("/api/geo/proposals.geojson?subdistrict=jiangning-road").json()
    assert len(layer["features"]) == Proposal.objects.filter(lon__isnull=False).count() > 0
