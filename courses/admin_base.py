"""Shared pieces of the admin viewsets: listings whose queryset comes from the viewset."""

from wagtail.admin.views import generic


class QuerySetIndexView(generic.IndexView):
    """An index view whose base queryset comes from its viewset's ``get_queryset(request)``
    (annotations, select_related), which Wagtail 8's ModelViewSet does not call itself."""

    viewset_queryset = None

    def get_base_queryset(self):
        if self.viewset_queryset is not None:
            return self.viewset_queryset(self.request)
        return super().get_base_queryset()


class QuerySetViewSetMixin:
    """Use ``get_queryset(request)`` for the listing."""

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(viewset_queryset=self.get_queryset, **kwargs)
