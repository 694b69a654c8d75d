"""Baby care's items for the resident home (accounts.attention): open offers to accept."""
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lifecircle.accounts.attention import ACTION, Item

from .models import Offer


def open_offers(resident, user):
    """The household's offers still open (the resident home asks whether there are any first)."""
    return Offer.objects.filter(status=Offer.Status.OPEN, application__child__household=resident.household_id,
                                expires_at__gt=timezone.now())


def items(resident, user):
    """An open offer of a place for a child of the household, to accept before it expires."""
    offers = open_offers(resident, user).select_related("application__child", "application__programme__facility")
    return [Item(
        text=_("A place is offered to %(child)s at %(centre)s: answer by %(when)s.") % {
            "child": offer.application.child.name, "centre": offer.application.programme.facility.display_name,
            "when": timezone.localtime(offer.expires_at).strftime("%Y-%m-%d %H:%M")},
        url=reverse("babycare:mine"), badge=_("Offer to accept"), kind=ACTION, due=offer.expires_at,
    ) for offer in offers]
