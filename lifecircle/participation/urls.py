from django.urls import path

from . import views

app_name = "participation"
urlpatterns = [
    path("", views.index, name="index"),
    path("p/<slug:slug>/", views.process_detail, name="process"),
    path("p/<slug:slug>/propose/", views.propose, name="propose"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/support/", views.support, name="support"),
    path("proposals/<int:pk>/comment/", views.comment, name="comment"),
    path("proposals/<int:pk>/follow/", views.follow_proposal, name="follow"),
    path("categories/<str:category>/follow/", views.follow_category, name="follow_category"),
    path("proposals/<int:pk>/photo/", views.proposal_photo, name="proposal_photo"),
    path("proposals/<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("follow-up-photos/<int:pk>/", views.follow_up_photo, name="follow_up_photo"),
    path("mine/", views.mine, name="mine"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/log/", views.moderation_log, name="log"),
    path("moderation/<str:kind>/<int:pk>/<str:action>/", views.moderate, name="moderate"),
    path("representatives/", views.representatives, name="representatives"),
    path("representatives/<int:pk>/write/", views.write, name="write"),
    path("letters/<int:pk>/", views.thread, name="thread"),
    path("letters/<int:pk>/visibility/", views.thread_visibility, name="thread_visibility"),
    path("inbox/", views.inbox, name="inbox"),
]
