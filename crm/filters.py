"""What every list's filter form shares."""

import django_filters
from django.utils.translation import gettext_lazy as _


class SortFilter(django_filters.OrderingFilter):
    """The sort select of a list. Its "(descending)" label comes from the project's catalogs: django-filter
    ships Chinese only as zh_CN, which a zh-Hans page never reads."""

    descending_fmt = _("%s (descending)")
