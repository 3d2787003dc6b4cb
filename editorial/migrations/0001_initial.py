import django.db.models.deletion
import wagtail.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("wagtailcore", "0098_apitoken")]

    operations = [
        migrations.CreateModel(
            name="HomePage",
            fields=[
                ("page_ptr", models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE,
                                                  parent_link=True, primary_key=True, serialize=False,
                                                  to="wagtailcore.page")),
                ("intro", wagtail.fields.RichTextField(blank=True, verbose_name="lời giới thiệu")),
            ],
            options={"verbose_name": "trang chủ của tỉnh"},
            bases=("wagtailcore.page",),
        ),
    ]
