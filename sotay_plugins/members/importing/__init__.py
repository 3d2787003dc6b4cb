"""Bulk import of party members from the Excel template (SPEC.md module 1), stage by stage.

The flow, for the admin and for ``manage.py import_members`` alike:

1. ``columns`` and ``template``: the columns of the template and the workbook people fill in.
2. ``reading``: size limit, "is this really an .xlsx", the header row, the data rows.
3. ``parsing``: every cell into a value (dates, Nam/Nữ, codes…), errors by row and column.
4. ``validation``: every row against the rules, the batch's unit and what is stored; the dry
   run (:func:`check`) reports *all* the errors of every row and writes nothing.
5. ``applying``: :func:`run` checks again and, only if no row has an error, writes the whole
   file in one transaction: all or nothing, even when something fails half-way.
6. ``batches`` and ``job``: the ImportBatch record (upload, confirm, outcome, audit entry) and
   the background job that applies it; ``access``: who may import where.

Decisions:

- **All or nothing.** If any row has an error nothing is imported; the report lists every
  error so the file can be fixed and uploaded again. If the writes fail half-way, the
  transaction is rolled back and the batch says that no row was written.
- **Scope.** The batch's unit must be one where the user holds ``members.import_members``,
  checked on upload and again when the job runs.

This module names what the admin, the shell command and the benchmarks use.
"""

from .access import CAPABILITY
from .applying import run
from .batches import JOB_FUNC, confirm_batch, purge_stale_files, start_batch
from .columns import HELP_SHEET, LIST_SHEET, all_columns
from .errors import ImportFileError
from .reading import check_size
from .template import XLSX_CONTENT_TYPE, build_template, template_cells, template_units
from .validation import Report, check

__all__ = [
    "CAPABILITY",
    "HELP_SHEET",
    "JOB_FUNC",
    "LIST_SHEET",
    "XLSX_CONTENT_TYPE",
    "ImportFileError",
    "Report",
    "build_template",
    "check",
    "check_size",
    "all_columns",
    "confirm_batch",
    "purge_stale_files",
    "run",
    "start_batch",
    "template_cells",
    "template_units",
]
