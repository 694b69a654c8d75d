from django import template

from lifecircle.volunteers.services import format_hours

register = template.Library()


@register.filter
def hours(value):
    """12.50 → 12.5, 3.00 → 3."""
    return format_hours(value or 0)
