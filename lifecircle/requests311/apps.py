from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Requests311Config(AppConfig):
    name = "lifecircle.requests311"
    verbose_name = _("居民诉求 Residents' requests (Open311)")
    role_permissions = {
        "administrator": ["*"],
        # Grid workers change state on the staff pages (which keep the lifecycle rules); in the
        # console they may look, not edit.
        "grid_worker": ["view_service", "view_serviceattribute", "view_servicerequest", "view_requestupdate"],
    }
    resident_links = [("requests311:new", _("Report a need")), ("requests311:mine", _("My requests"))]
    staff_links = [("requests311:staff", _("Residents' requests")), ("requests311:times", _("Response times"))]

    def resident_attention(self, resident, user):
        """This app's items for the resident home's "needs attention" list (accounts.attention)."""
        from .attention import items

        return items(resident, user)

    def resident_attention_probe(self, resident, user):
        """Rows that exist whenever ``resident_attention`` has items (accounts.attention)."""
        from .attention import answers

        return answers(resident, user)

    def ready(self):
        from lifecircle.directory import layers

        from .map_layer import LAYER

        layers.register(LAYER)  # the directory draws it on the map of happiness without knowing this app

        from lifecircle import caching

        # Open311 lists are cached whole until a service, request or update changes (or a grid: each
        # request names its grid); the list of services only until a service or its attributes change,
        # so the many new requests of a busy day leave it cached.
        caching.invalidate_on_changes("requests311", "requests311", "community.Grid")
        # The update stream lists updates, not requests: a new request (ten a second on a busy day)
        # adds only its own "submitted" update, which the stream leaves out, so it keeps the stream
        # cached; any other update, or a change to a request (its service, so whether it is private),
        # does not. Changes to services reach it through their own topic.
        caching.invalidate_on_changes(
            "open311-updates", "requests311.RequestUpdate", "requests311.ServiceRequest", unseen={
                "requests311.RequestUpdate": lambda update, created: created and update.kind == update.Kind.SUBMITTED,
                "requests311.ServiceRequest": lambda request, created: created})
        caching.invalidate_on_changes(
            "open311-services", "requests311.Service", "requests311.ServiceAttribute", "requests311.AttributeValue")
