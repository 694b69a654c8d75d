"""Pages of the bookings app, included at /bookings/."""
from django.urls import path

from . import views

app_name = "bookings"

urlpatterns = [
    path("rooms/", views.rooms, name="rooms"),
    path("rooms/<int:pk>/", views.room, name="room"),
    path("rooms/<int:pk>/calendar.ics", views.room_feed, name="room_feed"),
    path("bookings/<int:pk>/", views.booking, name="booking"),
    path("events/", views.events, name="events"),
    path("events/<int:pk>/", views.event, name="event"),
    path("facilities/<int:pk>/events.ics", views.facility_feed, name="facility_feed"),
    path("mine/", views.mine, name="mine"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("staff/", views.staff, name="staff"),
    path("staff/check-in/", views.check_in, name="check_in"),
    path("staff/events/<int:pk>/", views.staff_event, name="staff_event"),
]
