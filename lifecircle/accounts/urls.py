from django.contrib.auth import views as auth_views
from django.urls import path

from . import twofactor, views

app_name = "accounts"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("second-factor/", twofactor.verify, name="two_factor"),
    path("second-factor/enrol/", twofactor.enrol, name="two_factor_enrol"),
    path("me/", views.resident_home, name="home"),
    path("me/notifications/", views.notifications, name="notifications"),
    path("staff/", views.staff_home, name="staff"),
    path("text-size/", views.text_size, name="text_size"),
]
