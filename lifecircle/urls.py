from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.utils.translation import gettext_lazy as _

from lifecircle.api import api
from lifecircle.directory import views
from lifecircle.planning.views import district_page

admin.site.site_header = _("lifecircle 社区生活圈 staff console")
admin.site.site_title = _("lifecircle staff")

# Each sub-district's own pages: /s/<code>/ is its map, /s/<code>/planning/… its planner pages.
subdistrict_pages = [
    path("", views.map_of_happiness, name="subdistrict_map"),
    path("find/", views.find, name="find"),
    path("planning/", include("lifecircle.accessibility.urls")),
    path("planning/", include("lifecircle.planning.urls")),
]
# The addresses from before (/planning/coverage/ …): the only sub-district's page, or the chooser.
pages_anywhere = [
    path("coverage/", views.page_anywhere, {"rest": "coverage/"}, name="coverage"),
    *(path(f"{name}/", views.page_anywhere, {"rest": f"{name}/"}, name=name)
      for name in ("scenarios", "siting", "compare", "dashboard")),
    path("<path:rest>", views.page_anywhere, name="other"),
]

class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico on pages that name no icon (the API docs, the staff console)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("directory/favicon.svg")


urlpatterns = [
    path("", views.home, name="map"),
    path("favicon.ico", FaviconView.as_view()),
    path("s/<slug:subdistrict>/", include(subdistrict_pages)),
    path("district/", district_page, name="district"),
    path("planning/", include((pages_anywhere, "anywhere"))),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("lifecircle.accounts.urls")),
    path("admin/", admin.site.urls),
]
urlpatterns.append(path("babycare/", include("lifecircle.babycare.urls")))
urlpatterns.append(path("bookings/", include("lifecircle.bookings.urls")))
urlpatterns.append(path("meals/", include("lifecircle.meals.urls")))
urlpatterns.append(path("participation/", include("lifecircle.participation.urls")))
urlpatterns.append(path("requests311/", include("lifecircle.requests311.urls")))
urlpatterns.append(path("open311/v2/", include("lifecircle.requests311.open311_urls")))
urlpatterns.append(path("eldercare/", include("lifecircle.eldercare.urls")))
urlpatterns.append(path("homecare/", include("lifecircle.homecare.urls")))
urlpatterns.append(path("volunteers/", include("lifecircle.volunteers.urls")))

handler400 = "lifecircle.handlers.bad_request"
