# The study plugin's first migration: the app's root, on which each concern's own migration
# builds (resolutions and plans, quizzes, points).
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = []
