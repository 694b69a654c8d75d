"""What care at home holds about a person (see accounts/pipl.py).

Plans, their needs and the visits made are kept for the provider's records (and the long-term care
insurance's claims), emptied of the assessment, the needs' notes and everything written at the door
(what was done, observations: health data); the plan's health-record consent is deleted with the
rest of her health data (eldercare) and the plan no longer points at it. What is still to come
stops: the plan ends today and its visits not yet made are cancelled and taken off their rounds, so
no carer calls at an erased person's door; meals she ordered that are cancelled (meals) are taken
off the rounds too. Carers are staff: their account, like every staff member who recorded, planned
or made something here, is an actor, not the person the record is about.
"""
from django.db.models import Q
from django.utils import timezone

from lifecircle.accounts.pipl import KEEP, register, register_actor_fields
from lifecircle.meals.models import MealOrder

from .models import CareNeed, CarePlan, MealDrop, Visit


def end_plans(plans, person):
    today = timezone.localdate()
    plans.filter(start__lte=today).filter(Q(end__isnull=True) | Q(end__gt=today)).update(end=today)
    plans.update(status=CarePlan.Status.ENDED)


def cancel_visits_to_come(visits, person):
    visits.filter(status=Visit.Status.PLANNED, date__gte=timezone.localdate()).update(
        status=Visit.Status.CANCELLED, round=None, sequence=None, expected_at=None)


def drop_cancelled_meals(drops, person):
    drops.filter(order__status=MealOrder.Status.CANCELLED).delete()


register(CarePlan, links=("resident",), on_erase=KEEP, blank=("assessment",), detach=("consent",),
         before_erase=end_plans)
register(CareNeed, links=("plan__resident",), on_erase=KEEP, blank=("note",))
register(Visit, links=("plan__resident",), on_erase=KEEP, blank=("done", "observations", "change_reason"),
         before_erase=cancel_visits_to_come)
register(MealDrop, links=("order__resident",), on_erase=KEEP, before_erase=drop_cancelled_meals)
register_actor_fields("a carer's staff account; cleared when that account goes",
                      "homecare.Carer.user")
register_actor_fields("the staff member who acted; staff accounts are kept with their records",
                      "homecare.CarerAbsence.recorded_by", "homecare.CarePlan.created_by",
                      "homecare.DayPlan.planned_by", "homecare.Visit.recorded_by")
