"""Keep stored accessibility current: a changed facility recomputes only its categories, a changed
compound only itself, once the change is committed.

Changes inside one transaction (a whole data pack, say) are gathered and computed once after it
commits. Work gathered by a transaction that rolls back is done at the next commit instead, which
costs a little time and never gives a wrong result, since a computation always reads the database
as it is.
"""
import logging
import threading

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from lifecircle.community.models import Compound, PedestrianNetwork, SubDistrict
from lifecircle.directory.models import Facility, ServiceCategory

from .compute import NotComputable, compute

log = logging.getLogger(__name__)
_pending = threading.local()


def schedule(subdistrict_id, categories=(), compounds=(), everything=False):
    work = getattr(_pending, "work", None)
    if work is None:
        work = _pending.work = {}
    entry = work.setdefault(subdistrict_id, {"categories": set(), "compounds": set(), "everything": False})
    entry["categories"].update(categories)
    entry["compounds"].update(compounds)
    entry["everything"] |= everything
    transaction.on_commit(run_pending)


def run_pending():
    work, _pending.work = getattr(_pending, "work", None) or {}, None
    for subdistrict_id, entry in work.items():
        subdistrict = SubDistrict.objects.filter(pk=subdistrict_id).first()
        if subdistrict is None:
            continue
        try:
            if entry["everything"]:
                compute(subdistrict, reason="network or data pack changed")
                continue
            if entry["categories"]:
                compute(subdistrict, categories=sorted(entry["categories"]), reason="facilities changed")
            if entry["compounds"]:
                compute(subdistrict, compounds=sorted(entry["compounds"]), reason="compounds changed")
        except NotComputable as exc:
            log.info("accessibility not updated for %s: %s", subdistrict, exc)


def _categories(facility):
    if facility.pk is None:
        return set()
    return {facility.category.slug, *facility.services.values_list("slug", flat=True)}


@receiver(pre_save, sender=Facility)
def remember_categories(sender, instance, raw=False, **kwargs):
    if instance.pk and not raw:
        before = Facility.objects.filter(pk=instance.pk).select_related("category").first()
        instance._categories_before = _categories(before) if before else set()


@receiver(post_save, sender=Facility)
def facility_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        before = getattr(instance, "_categories_before", set())
        schedule(instance.subdistrict_id, categories=before | _categories(instance))


@receiver(post_delete, sender=Facility)
def facility_deleted(sender, instance, **kwargs):
    schedule(instance.subdistrict_id, categories={instance.category.slug})


@receiver(m2m_changed, sender=Facility.services.through)
def facility_services_changed(sender, instance, action, pk_set, **kwargs):
    if not isinstance(instance, Facility):
        return
    if action == "pre_clear":  # afterwards nobody knows which services were removed
        schedule(instance.subdistrict_id, categories=_categories(instance))
    elif action in ("post_add", "post_remove"):
        changed = ServiceCategory.objects.filter(pk__in=pk_set or []).values_list("slug", flat=True)
        schedule(instance.subdistrict_id, categories=set(changed))


@receiver(post_save, sender=Compound)
def compound_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        schedule(instance.subdistrict_id, compounds={instance.code})


@receiver(post_save, sender=PedestrianNetwork)
def network_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        schedule(instance.subdistrict_id, everything=True)
