"""Small factories for tests of the apps that serve residents (not used by the running site)."""
import datetime
import itertools

from django.contrib.auth import get_user_model

from .models import Child, Consent, Household, Resident, StaffRole

_serial = itertools.count(1)


def make_user(username=None, **fields):
    username = username or f"user{next(_serial)}"
    return get_user_model().objects.create_user(username=username, password="pw-for-tests-only", **fields)


def make_household(compound, address="1-101"):
    return Household.objects.create(compound=compound, address=address)


def make_resident(household, name="王小明", birth_date=datetime.date(1950, 5, 1), verified=True, with_user=True, **fields):
    user = make_user(email=fields.pop("email", "")) if with_user else None
    resident = Resident.objects.create(
        household=household, name=name, birth_date=birth_date, user=user,
        phone=fields.pop("phone", "13812345678"), **fields,
    )
    if verified:
        resident.verify(make_user(is_staff=True))
    return resident


def make_child(household, name="王小宝", birth_date=datetime.date(2024, 6, 1)):
    return Child.objects.create(household=household, name=name, birth_date=birth_date)


def make_consent(principal, proxy, relation="daughter"):
    return Consent.objects.create(principal=principal, proxy=proxy, relation=relation, evidence="form 1",
                                  recorded_by=make_user(is_staff=True))


def make_staff(role, subdistrict, facility=None, grid=None):
    user = make_user(is_staff=True)
    StaffRole.objects.create(user=user, role=role, subdistrict=subdistrict, facility=facility, grid=grid)
    return user
