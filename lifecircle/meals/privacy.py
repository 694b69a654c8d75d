"""What senior meals hold about a person (see accounts/pipl.py): orders are kept for the canteens'
statements and subsidy accounts, emptied of addresses and notes; meals not yet served are
cancelled, so nobody cooks for an erased person."""
from django.utils import timezone

from lifecircle.accounts.pipl import DELETE, KEEP, register, register_actor_fields

from .models import DeliveryNeed, MealOrder


def cancel_meals_to_come(orders, person):
    orders.filter(status=MealOrder.Status.PLACED, menu__date__gte=timezone.localdate()).update(
        status=MealOrder.Status.CANCELLED, cancelled_at=timezone.now())


register(DeliveryNeed, links=("resident",), on_erase=DELETE)
register(MealOrder, links=("resident",), acted_by=("ordered_by",), on_erase=KEEP,
         blank=("delivery_address", "dietary_notes"), before_erase=cancel_meals_to_come)
register_actor_fields("the staff member or resident who acted; cleared when that account goes",
                      "meals.DeliveryNeed.recorded_by", "meals.MealOrder.cancelled_by")
