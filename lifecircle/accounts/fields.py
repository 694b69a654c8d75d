"""Model fields for personal data encrypted at rest (see crypto.py)."""
from django import forms
from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token and read back as plain text.

    Each write encrypts with a fresh IV, so the database cannot compare values: filter on a keyed
    hash column instead (``Resident.id_number_hash``). An exact-match filter on this field never
    matches anything but the empty string.
    """

    def from_db_value(self, value, expression, connection):
        return crypto.decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return crypto.encrypt(value) if value else value

    def formfield(self, **kwargs):
        return super().formfield(**{"widget": forms.TextInput, **kwargs})  # one line, as before encryption
