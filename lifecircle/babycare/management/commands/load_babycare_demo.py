from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lifecircle.babycare.models import INFANT_CARE, AgeGroup, CareProgramme, PriorityRule
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
        self.stdout.write(
            f"Baby care: {len(facilities)} centre programme(s) ready ({created} new); "
            "their places and priority rules are illustrative."
        )
