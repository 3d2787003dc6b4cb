"""Put a HomePage where Wagtail's placeholder page stands, and make it the default site's root."""

from django.db import migrations

TITLE = "Sổ tay đảng viên điện tử"


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("editorial.HomePage")

    placeholder_type = ContentType.objects.get_for_model(Page)
    placeholder = Page.objects.filter(content_type=placeholder_type, depth=2).first()
    if placeholder is None or HomePage.objects.exists():
        return  # a site someone has already built: leave it alone
    path, locale_id = placeholder.path, placeholder.locale_id
    placeholder.delete()
    home = HomePage.objects.create(
        title=TITLE, draft_title=TITLE, slug="trang-chu", path=path, depth=2, numchild=0, url_path="/trang-chu/",
        content_type=ContentType.objects.get_for_model(HomePage),
        locale_id=locale_id or Locale.objects.order_by("pk").values_list("pk", flat=True).first(),
    )
    site = Site.objects.filter(is_default_site=True).first()
    if site:
        site.root_page_id = home.pk
        site.site_name = TITLE
        site.save(update_fields=["root_page", "site_name"])
    else:
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True, site_name=TITLE)


class Migration(migrations.Migration):
    dependencies = [("editorial", "0001_initial"), ("wagtailcore", "0098_apitoken")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
