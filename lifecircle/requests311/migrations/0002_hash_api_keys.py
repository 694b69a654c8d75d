"""API keys are stored as their SHA-256 (and the first characters, to tell them apart); the keys
themselves are no longer kept. Existing keys keep working: their hash is computed here."""
import hashlib
import secrets

from django.db import migrations, models

import lifecircle.requests311.models


def hash_existing_keys(apps, schema_editor):
    ApiKey = apps.get_model("requests311", "ApiKey")
    for key in ApiKey.objects.all():
        key.prefix = key.key[:6]
        key.key_hash = hashlib.sha256(key.key.encode("utf-8")).hexdigest()
        key.save(update_fields=["prefix", "key_hash"])


def cannot_unhash(apps, schema_editor):
    # Going back needs a key text the hash cannot give: every client gets a new, unknown key.
    ApiKey = apps.get_model("requests311", "ApiKey")
    for key in ApiKey.objects.all():
        key.key = secrets.token_urlsafe(24)
        key.save(update_fields=["key"])


class Migration(migrations.Migration):

    dependencies = [
        ("requests311", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apikey", name="prefix",
            field=models.CharField(blank=True, editable=False, max_length=6, verbose_name="key starts with"),
        ),
        migrations.AddField(
            model_name="apikey", name="key_hash",
            field=models.CharField(editable=False, max_length=64, null=True, verbose_name="key (SHA-256)"),
        ),
        migrations.RunPython(hash_existing_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apikey", name="key_hash",
            field=models.CharField(default=lifecircle.requests311.models._unusable_key_hash, editable=False,
                                   max_length=64, unique=True, verbose_name="key (SHA-256)"),
        ),
        migrations.AlterField(  # nullable for the way back, which fills it with fresh keys
            model_name="apikey", name="key",
            field=models.CharField(max_length=64, null=True, verbose_name="key"),
        ),
        migrations.RunPython(migrations.RunPython.noop, cannot_unhash),
        migrations.RemoveField(model_name="apikey", name="key"),
    ]
