from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """``?page=N`` (from 1) and ``?page_size=N`` (at most 100); responses are
    ``{"count", "next", "previous", "results"}``."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
