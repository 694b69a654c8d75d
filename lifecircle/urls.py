from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from lifecircle.api import api
from lifecircle.directory import views

admin.site.site_header = _("lifecircle 社区生活圈 staff console")
admin.site.site_title = _("lifecircle staff")

urlpatterns = [
    path("", views.map_of_happiness, name="map"),
    path("planning/", include("lifecircle.accessibility.urls")),
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
urlpatterns.append(path("planning/", include("lifecircle.planning.urls")))
urlpatterns.append(path("eldercare/", include("lifecircle.eldercare.urls")))
urlpatterns.append(path("homecare/", include("lifecircle.homecare.urls")))
urlpatterns.append(path("volunteers/", include("lifecircle.volunteers.urls")))
