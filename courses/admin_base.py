"""Shared pieces of the admin viewsets: listings whose queryset comes from the viewset, and
the base of the read-only listings of learner records."""

from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from quizzes import converters

converters.register()


class QuerySetIndexView(generic.IndexView):
    """An index view whose base queryset comes from its viewset's ``get_queryset(request)``
    (annotations, select_related), which Wagtail 8's ModelViewSet does not call itself."""

    viewset_queryset = None

    def get_base_queryset(self):
        if self.viewset_queryset is not None:
            return self.viewset_queryset(self.request)
        return super().get_base_queryset()


class QuerySetViewSetMixin:
    """Use ``get_queryset(request)`` for the listing; ids in URLs are bounded (``<id:pk>``:
    a 404 beyond 64 bits rather than an overflow)."""

    pk_path_converter = "id"

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(viewset_queryset=self.get_queryset, **kwargs)


class ReadOnlyModelViewSet(QuerySetViewSetMixin, ModelViewSet):
    """A listing of learner records for staff: searchable and filterable, never edited here
    (the read-only permission policy in `courses.permissions` grants "view" only; records
    change through the site). Subclasses name the model, columns, filters and what to join."""

    index_view_class = QuerySetIndexView
    copy_view_enabled = False
    search_backend_name = None  # plain database lookups: these tables are not search-indexed
    list_per_page = 50
    select_related = ()

    def get_queryset(self, request):
        return self.model.objects.select_related(*self.select_related)
