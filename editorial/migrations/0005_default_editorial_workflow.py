"""The default workflow: every section's news and documents go to the issuing unit's editorial
board (Ban Biên tập) before publication. One step; a province that wants a second one adds an
EditorialBoardTask with level "parent" to it in the admin (Cài đặt → Quy trình duyệt)."""

from django.db import migrations

WORKFLOW_NAME = "Duyệt tin bài, văn bản (Ban Biên tập)"
TASK_NAME = "Ban Biên tập của cấp ban hành duyệt"


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    HomePage = apps.get_model("editorial.HomePage")
    EditorialBoardTask = apps.get_model("editorial.EditorialBoardTask")
    Workflow = apps.get_model("wagtailcore.Workflow")
    WorkflowTask = apps.get_model("wagtailcore.WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore.WorkflowPage")

    if Workflow.objects.filter(name=WORKFLOW_NAME).exists():
        return
    task_type, _created = ContentType.objects.get_or_create(app_label="editorial", model="editorialboardtask")
    task = EditorialBoardTask.objects.create(name=TASK_NAME, active=True, content_type=task_type, level="issuer")
    workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
    WorkflowTask.objects.create(workflow=workflow, task_id=task.pk, sort_order=0)
    for home in HomePage.objects.all():
        WorkflowPage.objects.update_or_create(page_id=home.pk, defaults={"workflow": workflow})


def backwards(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore.Workflow")
    EditorialBoardTask = apps.get_model("editorial.EditorialBoardTask")
    Workflow.objects.filter(name=WORKFLOW_NAME).delete()
    EditorialBoardTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("editorial", "0004_editorial_board_task"), ("wagtailcore", "0098_apitoken")]

    operations = [migrations.RunPython(forwards, backwards)]
