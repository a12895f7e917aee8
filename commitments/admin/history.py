"""The base of every curated record's admin: django-simple-history's, with addresses that
cannot be a record's or a version's id answered with a 404 rather than a 500, and
autocomplete fields that any posted value leaves working (widgets.py)."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from commitments.admin.widgets import SafeAutocompleteAdmin


class HistoryAdmin(SafeAutocompleteAdmin, SimpleHistoryAdmin):
    def history_view(self, request, object_id, extra_context=None):
        self._check_ids(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_ids(object_id, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _check_ids(self, object_id: str, version_id: str | None = None) -> None:
        history_id = self.model.history.model._meta.pk
        try:
            self.model._meta.pk.to_python(unquote(object_id))
            if version_id is not None:
                history_id.to_python(version_id)
        except ValidationError:
            raise Http404("No such record or version.") from None
