"""HEAD on the JSON API: the headers its GET answers, without the body (RFC 9110, 9.3.2).

django-ninja routes only the methods an operation declares, so a HEAD on any of the API's GET
operations was a 405; link checkers and monitors ask HEAD. Django's own views and the Open311
endpoints answer HEAD themselves."""

API_PREFIX = "/api/"  # where lifecircle.urls mounts the API


class HeadAsGetMiddleware:
    """Answer a HEAD under ``API_PREFIX`` as its GET, less the body: the same status, ETag and
    Content-Length (a HEAD of an operation that has no GET is a 405, as its GET is)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "HEAD" or not request.path_info.startswith(API_PREFIX):
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
