import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from lifecircle.accounts.models import Child, Household, Resident
from lifecircle.babycare.models import INFANT_CARE, AgeGroup, Application, CareProgramme, Offer, Placement, PriorityRule
from lifecircle.community.models import Compound
from lifecircle.directory.models import Facility
from lifecircle.geo.distance import haversine_m

#: The demo's five baby-care centres (facility code → centre type, days to answer an offer).
DEMO_CENTRES = {
    "baby-care-grandparents": (CareProgramme.CentreType.INTERGENERATIONAL, 7),
    "baby-care-language": (CareProgramme.CentreType.LANGUAGE, 7),
    "baby-care-family-support": (CareProgramme.CentreType.FAMILY_SUPPORT, 7),
    "baby-care-jiangjia-lane": (CareProgramme.CentreType.EARLY_LEARNING, 7),
    "baby-care-hourly": (CareProgramme.CentreType.HOURLY, 3),
}
#: Age groups (months, both included) and their share of the centre's capacity.
DEMO_GROUPS = [(12, 23, 0.4), (24, 36, 0.6)]
#: Priority rules in order, with points; "near" means within this straight-line distance of the centre.
DEMO_RULES = [
    (PriorityRule.Kind.NEAR_HOME, 30),
    (PriorityRule.Kind.SIBLING_PLACED, 25),
    (PriorityRule.Kind.HARDSHIP, 20),
    (PriorityRule.Kind.BOTH_PARENTS_WORKING, 10),
]
NEAR_M = 600
#: Children of illustrative families who hold a place at each centre, so staff can try the attendance
#: register: (months old today, days since the place started). The families have no login.
DEMO_PLACES = [(18, 21), (20, 14), (27, 35), (30, 14), (33, 7)]
#: The demo families' given names (illustrative), one per place.
DEMO_CHILDREN = ["小禾", "小溪", "小满", "小舟", "小葵"]
DEFAULT_CAPACITY = 20
NOTE = ("示意数据：年龄段名额与优先规则为示例，非该中心的真实规定。",
        "Illustrative: the age groups, places and priority rules are examples, not the centre's real ones.")


def split(capacity):
    places = [int(capacity * share) for _, _, share in DEMO_GROUPS]
    places[-1] += capacity - sum(places)
    return places


class Command(BaseCommand):
    help = (
        "Set up illustrative baby-care programmes (age groups, places, priority rules) for the demo's five "
        "infant-care centres. Safe to run again: it adds what is missing and keeps what staff have changed."
    )

    @transaction.atomic
    def handle(self, **options):
        facilities = list(Facility.objects.filter(code__in=DEMO_CENTRES, category__slug=INFANT_CARE))
        if not facilities:
            raise CommandError("The demo's baby-care centres are not loaded; run load_demo first.")
        created = 0
        for facility in facilities:
            centre_type, offer_days = DEMO_CENTRES[facility.code]
            programme, new = CareProgramme.objects.get_or_create(facility=facility, defaults={
                "centre_type": centre_type, "offer_days": offer_days, "illustrative": True,
                "notes": NOTE[0], "notes_en": NOTE[1],
            })
            created += new
            for (low, high, _share), places in zip(DEMO_GROUPS, split(facility.capacity or DEFAULT_CAPACITY)):
                AgeGroup.objects.get_or_create(programme=programme, min_months=low,
                                               defaults={"max_months": high, "places": places})
            for position, (kind, weight) in enumerate(DEMO_RULES, 1):
                rule, new_rule = PriorityRule.objects.get_or_create(
                    programme=programme, kind=kind, defaults={"position": position, "weight": weight})
                if new_rule and kind == PriorityRule.Kind.NEAR_HOME:
                    rule.compounds.set([
                        c for c in Compound.objects.filter(subdistrict=facility.subdistrict)
                        if haversine_m(facility.lon, facility.lat, c.lon, c.lat) <= NEAR_M
                    ])
        placed = sum(self.place_children(facility) for facility in facilities)
        self.stdout.write(
            f"Baby care: {len(facilities)} centre programme(s) ready ({created} new); "
            f"{placed} illustrative child(ren) given a place for the attendance register; "
            "their places and priority rules are illustrative."
        )

    def place_children(self, facility):
        """Give illustrative children of nearby demo households a place at ``facility``'s centre, as an
        accepted offer would (application placed, offer accepted, placement started), never beyond the
        age group's places. Returns how many were placed now (0 on a second run)."""
        programme = facility.care_programme
        compounds = sorted(Compound.objects.filter(subdistrict=facility.subdistrict),
                           key=lambda c: haversine_m(facility.lon, facility.lat, c.lon, c.lat))
        if not compounds:
            return 0
        now = timezone.now()
        today = timezone.localdate(now)
        placed = 0
        for n, ((months, days_ago), given) in enumerate(zip(DEMO_PLACES, DEMO_CHILDREN), 1):
            household, _ = Household.objects.get_or_create(
                compound=compounds[(n - 1) % len(compounds)], address=f"示例 demo 托育 {facility.code} {n}")
            parent, _ = Resident.objects.get_or_create(household=household, name=f"{given}家长（演示）", defaults={
                "birth_date": datetime.date(1990, 1, 1) + datetime.timedelta(days=97 * n), "verified_at": now})
            starts = today - datetime.timedelta(days=days_ago)
            birth = today - datetime.timedelta(days=round(months * 30.44))
            child, _ = Child.objects.get_or_create(household=household, name=f"{given}（演示）",
                                                   defaults={"birth_date": birth})
            if Application.objects.filter(child=child, programme=programme).exists():
                continue
            age = child.age_in_months(starts)
            group = programme.age_groups.filter(min_months__lte=age, max_months__gte=age).first()
            if group is None or group.applications.filter(status__in=Application.HOLDING).count() >= group.places:
                continue
            applied = timezone.make_aware(datetime.datetime.combine(starts - datetime.timedelta(days=10), datetime.time(9)))
            application = Application.objects.create(
                programme=programme, age_group=group, child=child, applicant=parent, start_date=starts,
                age_months_at_start=age, status=Application.Status.PLACED, created_at=applied)
            Offer.objects.create(application=application, made_at=applied, status=Offer.Status.ACCEPTED,
                                 expires_at=applied + datetime.timedelta(days=programme.offer_days),
                                 responded_at=applied + datetime.timedelta(days=1))
            Placement.objects.create(application=application, starts_on=starts,
                                     placed_at=applied + datetime.timedelta(days=1))
            placed += 1
        return placed
