"""Model fields for sensitive values: encrypted at rest, optionally with a keyed-hash column for search.

    id_number = EncryptedTextField(_("ID number"), blank=True, hash_field="id_number_hash", hash_kind="id_number")
    id_number_hash = BlindIndexField(source="id_number")

The hash column reads as the hash of the value currently on the instance, so every write path —
save(), bulk_create, the importer's COPY of model instances — stores a matching pair. Rows
written as plain dicts must add the hash themselves with ``crm.crypto.blind_index``. Find a row by
exact value with ``Model.objects.filter(**{hash_field: blind_index(value, kind)})`` (see ``exact``).
Other lookups on the encrypted column cannot match anything but the empty string.
"""

from django import forms
from django.db import models

from . import crypto


class _BlindIndexDescriptor:
    """Reads as the hash of the source field's current value whenever that value is loaded, so every
    write path (save, bulk_create, COPY of instances) stores a hash that matches the value."""

    def __init__(self, field):
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        source = self.field.source_field
        if source.attname in instance.__dict__:
            return crypto.blind_index(instance.__dict__[source.attname] or "", source.hash_kind)
        return instance.__dict__.get(self.field.attname)

    def __set__(self, instance, value):
        # Kept so Django sees the column as loaded; reads recompute it from the source.
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; the empty string stays empty so "has a value" checks still work."""

    def __init__(self, *args, hash_field: str = "", hash_kind: str = "text", **kwargs):
        self.hash_field, self.hash_kind = hash_field, hash_kind
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.hash_field:
            kwargs["hash_field"] = self.hash_field
        if self.hash_kind != "text":
            kwargs["hash_kind"] = self.hash_kind
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        # An ID number or a phone is one line, whatever the column type.
        return super().formfield(**{"widget": forms.TextInput, **kwargs})

    def get_internal_type(self):
        # Not "TextField": bulk writers pass plain text columns through unconverted, this one must encrypt.
        return "EncryptedTextField"

    def db_type(self, connection):
        return "text"

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return crypto.decrypt(value)

    def to_python(self, value):
        return value if value is None else str(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return crypto.encrypt(str(value))


class BlindIndexField(models.CharField):
    """The keyed hash (HMAC-SHA256, hex) of an encrypted field's value, for exact search.

    The model indexes it in ``Meta.indexes``: ``db_index`` would add a second, LIKE-pattern index on
    PostgreSQL, which a hash never needs and every write would pay for.
    """

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only=private_only)
        setattr(cls, self.attname, _BlindIndexDescriptor(self))

    @property
    def source_field(self):
        return self.model._meta.get_field(self.source)


def exact(queryset, field_name: str, value: str):
    """Rows whose encrypted ``field_name`` equals ``value`` (after normalising), via the hash column."""
    field = queryset.model._meta.get_field(field_name)
    digest = crypto.blind_index(value, field.hash_kind)
    if not digest:
        return queryset.none()
    return queryset.filter(**{field.hash_field: digest})


def encrypted_fields(model) -> list[EncryptedTextField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
