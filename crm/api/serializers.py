"""The base of every resource's serializer: sparse fields (``?fields=``) and masked sensitive values."""

from rest_framework import serializers

from crm.crypto import mask


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
        request = self.context.get("request")
        user = getattr(request, "user", None) or self.context.get("user")
        for field, permission in getattr(self.Meta, "masked_fields", {}).items():
            if field in data and data[field] and not (user is not None and user.has_perm(permission)):
                data[field] = mask(data[field])
        return data
