"""The base of every resource's serializer: sparse fields (``?fields=``) and masked sensitive values."""

from rest_framework import serializers

from crm.crypto import mask


class _Ids(list):
    """Primary keys a list's query read in its own row (``ArraySubquery``), already as the API shows them."""


class RelatedIdsField(serializers.ManyRelatedField):
    """A many-to-many as a list of primary keys (read and written as ``PrimaryKeyRelatedField(many=True)``),
    read from the attribute ``ids_attr`` when the list's query put the ids there: no related manager and no
    prefetch query per page, which cost more than the rest of a customer's fields together."""

    def __init__(self, *, ids_attr: str, queryset, **kwargs):
        self.ids_attr = ids_attr
        super().__init__(child_relation=serializers.PrimaryKeyRelatedField(queryset=queryset), **kwargs)

    def get_attribute(self, instance):
        ids = getattr(instance, self.ids_attr, None)
        if ids is not None:
            return _Ids(ids)
        return super().get_attribute(instance)

    def to_representation(self, iterable):
        if isinstance(iterable, _Ids):
            return list(iterable)
        return super().to_representation(iterable)


class ResourceSerializer(serializers.ModelSerializer):
    """A record as the API shows it.

    ``Meta.masked_fields`` maps a field to the permission that shows it unmasked, exactly as the pages
    do (``crm/templatetags/sensitive.py``). The request's ``fields`` parameter keeps only the named fields.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        wanted = request.query_params.get("fields") if request is not None and request.method == "GET" else None
        if wanted:
            names = {name.strip() for name in wanted.split(",") if name.strip()}
            for name in list(self.fields):
                if name not in names and name != "id":
                    self.fields.pop(name)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for field in self._masked():
            if data.get(field):
                data[field] = mask(data[field])
        return data

    def _masked(self) -> list[str]:
        """The fields masked for this reader: asked once per serializer, not once per row of a list."""
        masked = getattr(self, "_masked_for_reader", None)
        if masked is None:
            request = self.context.get("request")
            user = getattr(request, "user", None) or self.context.get("user")
            masked = [
                field
                for field, permission in getattr(self.Meta, "masked_fields", {}).items()
                if not (user is not None and user.has_perm(permission))
            ]
            self._masked_for_reader = masked
        return masked
