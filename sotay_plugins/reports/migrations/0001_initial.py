# The reports plugin's first migration: the app's root, on which each concern's own migration
# builds (rollups, exports).
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = []
