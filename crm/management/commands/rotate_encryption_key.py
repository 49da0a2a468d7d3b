"""Re-encrypt every encrypted field under the current key (the first of FIELD_ENCRYPTION_KEYS).

Rotation: generate a key (``--generate``), put it FIRST in FIELD_ENCRYPTION_KEYS keeping the old ones
after it, restart, run this command, then drop the old keys. The keyed-hash columns are recomputed
too, so the same run also moves the search hashes to a new FIELD_HASH_KEY.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from crm import crypto
from crm.fields import encrypted_fields


class Command(BaseCommand):
    help = "Re-encrypt sensitive fields under the current key and recompute their search hashes."

    def add_arguments(self, parser):
        parser.add_argument("--generate", action="store_true", help="Only print a new key to put first.")
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, generate=False, batch_size=1000, **options):
        if generate:
            self.stdout.write(crypto.generate_key())
            return
        for model in apps.get_models():
            fields = encrypted_fields(model)
            if fields:
                count = rotate_model(model, fields, batch_size=batch_size)
                self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")


def rotate_model(model, fields, *, batch_size: int = 1000) -> int:
    pk = model._meta.pk.attname
    names = [f.attname for f in fields]
    queryset = model._base_manager.order_by(pk).only(pk, *names)
    count, last = 0, None
    while True:
        batch = queryset.filter(**{f"{pk}__gt": last}) if last is not None else queryset
        rows = list(batch[:batch_size])
        if not rows:
            return count
        with transaction.atomic():
            for row in rows:
                values = {}
                for field in fields:
                    value = getattr(row, field.attname)
                    if not value:
                        continue
                    values[field.attname] = value  # get_prep_value encrypts under the first key
                    if field.hash_field:
                        values[field.hash_field] = crypto.blind_index(value, field.hash_kind)
                if values:
                    # update() writes only these columns: no signals, no history rows, no updated_at.
                    model._base_manager.filter(**{pk: getattr(row, pk)}).update(**values)
                    count += 1
        last = getattr(rows[-1], pk)
