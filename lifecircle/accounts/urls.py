from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import password_reset, pipl_views, twofactor, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("second-factor/", twofactor.verify, name="two_factor"),
    path("second-factor/enrol/", twofactor.enrol, name="two_factor_enrol"),
    path("staff/password-reset/", password_reset.find, name="password_reset_staff"),
    path("staff/password-reset/<int:resident_id>/", password_reset.make_link, name="password_reset_make_link"),
    path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password_reset_complete")), name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"), name="password_reset_complete"),
    path("me/", views.resident_home, name="home"),
    path("me/notifications/", views.notifications, name="notifications"),
    path("me/data/", pipl_views.my_data, name="my_data"),
    path("me/data/download.json", pipl_views.download_json, name="my_data_json"),
    path("me/data/download.zip", pipl_views.download_zip, name="my_data_zip"),
    path("me/data/correction/", pipl_views.ask_correction, name="ask_correction"),
    path("me/data/erasure/", pipl_views.ask_erasure, name="ask_erasure"),
    path("staff/privacy/", pipl_views.privacy_requests, name="privacy_requests"),
    path("staff/privacy/<int:pk>/", pipl_views.privacy_request, name="privacy_request"),
    path("staff/", views.staff_home, name="staff"),
    path("text-size/", views.text_size, name="text_size"),
]
