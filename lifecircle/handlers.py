"""Django's error handlers: the one place a refused request becomes a page (apps raise, they do
not format). A ``BadRequest`` that carries a message (``dates.BadDate``) shows it."""
from django.shortcuts import render


def bad_request(request, exception=None):
    message = getattr(exception, "message", "") or ""
    return render(request, "400.html", {"message": message}, status=400)
