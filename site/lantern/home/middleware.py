"""The header's cached values, read with the page's."""

from lantern.home.context_processors import header_keys


class HeaderPrefetchMiddleware:
    """A page that reads the course cache (`courses.content.page_cache`: its route, or its
    site) reads the header's values in the same round trip. Placed after the user and the
    language are known: the keys depend on both."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request._lantern_prefetch = header_keys
        return self.get_response(request)
