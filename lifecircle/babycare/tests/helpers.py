"""Helpers of the baby-care tests."""
import datetime
import json
from zoneinfo import ZoneInfo

from django.apps import apps

from lifecircle.accounts.testing import make_child, make_household, make_resident
from lifecircle.community.models import Compound

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    """Stands in for django.utils.timezone.now; tests move it forward."""

    def __init__(self, moment):
        self.moment = moment

    def __call__(self):
        return self.moment

    def advance(self, **delta):
        self.moment += datetime.timedelta(**delta)

    def set(self, *args):
        self.moment = datetime.datetime(*args, tzinfo=SHANGHAI)


def family(compound="b", parent="李红", child="王小宝", birth=datetime.date(2025, 3, 10), verified=True):
    """A household with one parent (a user) and one child; born 2025-03-10 the child is 14 months on 2026-06-01."""
    home = make_household(Compound.objects.get(code=compound))
    mother = make_resident(home, parent, datetime.date(1992, 4, 1), verified=verified)
    return mother, make_child(home, child, birth)


def snapshot():
    """Every row of baby care and of notifications, to prove a refusal changed nothing."""
    rows = {}
    for label in ("babycare", "notifications"):
        for model in apps.get_app_config(label).get_models():
            rows[model.__name__] = sorted(json.dumps(r, sort_keys=True, default=str) for r in model.objects.values())
    return rows
