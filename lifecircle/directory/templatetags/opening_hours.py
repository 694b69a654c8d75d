"""``{{ facility.opening_hours|hours_in_words }}``: opening hours in the reader's language, never
raw OpenStreetMap syntax (lifecircle.directory.hours.in_words)."""
from django import template

from lifecircle.directory.hours import in_words

register = template.Library()


@register.filter
def hours_in_words(text):
    return in_words(text)
