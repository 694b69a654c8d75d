from django.contrib.auth import views as auth_views
from django.urls import path

from . import pipl_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
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
