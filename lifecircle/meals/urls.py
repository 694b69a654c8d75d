from django.urls import path

from . import views

app_name = "meals"

urlpatterns = [
    path("", views.menu, name="menu"),
    path("mine/", views.mine, name="mine"),
    path("mine/statement.csv", views.mine_statement_csv, name="mine_statement_csv"),
    path("staff/", views.staff, name="staff"),
    path("staff/statement/<int:resident_id>/", views.staff_statement, name="staff_statement"),
]
