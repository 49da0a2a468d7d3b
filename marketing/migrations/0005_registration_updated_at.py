import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("marketing", "0004_registration_order_index")]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now, verbose_name="updated at"),
            preserve_default=False,
        ),
    ]
