"""ID numbers encrypted at rest with a keyed hash for look-ups; erasure markers; data requests.

The column first becomes plain text, the existing numbers are encrypted and hashed in place, and
only then does the field become the encrypting one (so nothing tries to decrypt a plain number).
"""

import django.db.models.deletion
import lifecircle.accounts.fields
from django.conf import settings
from django.db import migrations, models


def encrypt_existing(apps, schema_editor):
    from lifecircle.accounts import crypto

    Resident = apps.get_model("accounts", "Resident")
    seen, duplicates = set(), []
    for resident in Resident.objects.exclude(id_number="").order_by("pk").iterator():
        digest = crypto.lookup_hash(resident.id_number)
        if digest in seen:  # the unique constraint would refuse it: keep the number, leave it unhashed, and say so
            duplicates.append(resident.pk)
            digest = ""
        seen.add(digest)
        Resident.objects.filter(pk=resident.pk).update(id_number=crypto.encrypt(resident.id_number),
                                                       id_number_hash=digest)
    if duplicates:
        print(f"\n  {len(duplicates)} residents share an ID number with an earlier one and cannot be found by it "
              f"until staff correct it: resident ids {', '.join(map(str, duplicates))}")


def decrypt_existing(apps, schema_editor):
    from lifecircle.accounts import crypto

    Resident = apps.get_model("accounts", "Resident")
    for resident in Resident.objects.exclude(id_number="").iterator():
        Resident.objects.filter(pk=resident.pk).update(id_number=crypto.decrypt(resident.id_number))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='RightsRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('correction', 'correction'), ('erasure', 'erasure')], max_length=12, verbose_name='kind')),
                ('field', models.CharField(blank=True, choices=[('name', 'name'), ('phone', 'phone'), ('id_number', 'ID number'), ('birth_date', 'birth date'), ('health_notes', 'health and dietary notes'), ('other', 'something else')], max_length=20, verbose_name='what is wrong')),
                ('details', models.TextField(blank=True, verbose_name='details')),
                ('new_value', models.CharField(blank=True, max_length=300, verbose_name='correct value')),
                ('status', models.CharField(choices=[('open', 'open'), ('applied', 'done'), ('refused', 'refused')], default='open', max_length=10, verbose_name='status')),
                ('response', models.TextField(blank=True, verbose_name='answer')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='submitted')),
                ('resolved_at', models.DateTimeField(blank=True, null=True, verbose_name='resolved')),
            ],
            options={
                'verbose_name': 'personal data request',
                'verbose_name_plural': 'personal data requests',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.AddField(
            model_name='child',
            name='erased_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='personal data erased'),
        ),
        migrations.AddField(
            model_name='resident',
            name='erased_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='personal data erased'),
        ),
        migrations.AddField(
            model_name='resident',
            name='id_number_hash',
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64, verbose_name='ID number look-up hash'),
        ),
        migrations.AlterField(
            model_name='resident',
            name='id_number',
            field=models.TextField(blank=True, verbose_name='ID number'),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
        migrations.AlterField(
            model_name='resident',
            name='id_number',
            field=lifecircle.accounts.fields.EncryptedTextField(blank=True, max_length=30, verbose_name='ID number'),
        ),
        migrations.AddConstraint(
            model_name='resident',
            constraint=models.UniqueConstraint(condition=models.Q(('id_number_hash', ''), _negated=True), fields=('id_number_hash',), name='one_resident_per_id_number', violation_error_message='Another resident has this ID number.'),
        ),
        migrations.AddField(
            model_name='rightsrequest',
            name='resident',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rights_requests', to='accounts.resident', verbose_name='resident'),
        ),
        migrations.AddField(
            model_name='rightsrequest',
            name='resolved_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='resolved by'),
        ),
        migrations.AddField(
            model_name='rightsrequest',
            name='submitted_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.resident', verbose_name='submitted by'),
        ),
    ]
