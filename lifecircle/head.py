"""HEAD on the JSON API and Open311: the headers their GET answers, without the body (RFC 9110, 9.3.2).

django-ninja routes only the methods an operation declares, so a HEAD on any of the API's GET
operations was a 405; link checkers and monitors ask HEAD. Open311's endpoints list HEAD among
their methods and are answered here too. Django's own pages answer HEAD themselves."""

PREFIXES = ("/api/", "/open311/")  # where lifecircle.urls mounts the API and Open311


class HeadAsGetMiddleware:
    """Answer a HEAD under ``PREFIXES`` as its GET, less the body: the same status, ETag and
    Content-Length (a HEAD of an operation that has no GET is a 405, as its GET is)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "HEAD" or not request.path_info.startswith(PREFIXES):
            return self.get_response(request)
        request.method = "GET"
        try:
            response = self.get_response(request)
        finally:
            request.method = "HEAD"
        if not response.streaming:
            length = len(response.content)
            response.content = b""
            response["Content-Length"] = str(length)
        return response
