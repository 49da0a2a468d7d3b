"""What every list's filter form shares."""

import django_filters
from django.utils.functional import lazy
from django.utils.translation import gettext


def _descending(label) -> str:
    # django-filter ships Chinese only as zh_CN, which a zh-Hans page never reads: the project's catalog
    # holds this text.
    return gettext("%s (descending)") % label


class SortFilter(django_filters.OrderingFilter):
    """The sort select of a list, its "(descending)" labels translated when the page is drawn (the
    choices are built once, when the FilterSet class is defined)."""

    def build_choices(self, fields, labels):
        choices = super().build_choices(fields, labels)
        ascending = dict(choices[0::2])
        return [
            (value, lazy(_descending, str)(ascending[value[1:]]) if value.startswith("-") and value not in labels
             else label)
            for value, label in choices
        ]  # fmt: skip
