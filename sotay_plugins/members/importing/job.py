"""The background job that applies a checked batch (``batches.JOB_FUNC``, run by RQ through the
outbox of ``sotay_plugins.jobs``).

Idempotent: a done batch is left alone; a failed run wrote nothing (``applying`` is one
transaction), so the retry imports the whole file from the start.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..models import ImportBatch
from .applying import NOTHING_WRITTEN, run
from .batches import fail_batch, record_progress
from .errors import ImportFileError


def run_import(job, batch_id):
    """Apply batch ``batch_id``, scoped as its uploader (checked again now)."""
    batch = ImportBatch.objects.select_related("org", "created_by").get(pk=batch_id)
    if batch.state == ImportBatch.State.DONE:
        return {"batch": batch.pk, "state": batch.state}
    user = batch.created_by
    if user is None:  # the importer's account is gone: no one whose scope could be checked
        fail_batch(batch, [_("Tài khoản đã tải tệp lên không còn; không thể nhập.")])
        return {"batch": batch.pk, "state": ImportBatch.State.FAILED}

    def progress(done, total):
        record_progress(batch, job, done, total)

    try:
        with batch.file.open("rb") as handle:
            report = run(handle, batch.org, user=user, batch=batch, progress=progress)
    except ImportFileError as exc:
        fail_batch(batch, exc.messages)
        return {"batch": batch.pk, "state": ImportBatch.State.FAILED}
    except Exception:
        fail_batch(batch, [_(NOTHING_WRITTEN)])  # also when the file could not be opened
        raise
    return {"batch": batch.pk, **report.as_dict()}
