"""Intake: how files that officers upload become records, the same way for every domain.

One pipeline, below every domain app so that each can use it:

- **reading** (``reading.py``): the rows of a spreadsheet (.xlsx, .xls, .ods through python-calamine) or a CSV file
  (UTF-8, UTF-16, Windows-1258, text typed in the legacy TCVN3/VNI fonts), streamed one at a time;
- **headers** (``headers.py``): the header row found among title rows and matched to a domain's *field map*;
- **standardising values**: ``text.py``, ``encodings.py`` (TCVN3/VNI), ``names.py``, ``dates.py``,
  ``identity.py`` (personal identification numbers), ``values.py`` (sex, yes/no, phone numbers) and
  ``ethnicity.py`` (ethnic groups, resolved against ``core.EthnicGroup`` in its code system); every function takes
  one raw cell and returns a ``results.Parsed*`` value or a reason in Vietnamese, with no database and no clock;
- **the import record** (``models.py``, ``ImportRecord``): one upload, its preview, progress, summary and
  rejected-rows file, whatever the domain;
- **the rejected rows** (``rejected.py``): the original cells and the reason, written through core's one Excel
  writer;
- **the runner** (``runner.py``, ``tasks.py``): ``store_upload`` (the one entry point for uploaded files, with
  its size and kind checks), the dry-run preview, confirmation, inline or background run (django-tasks) and a
  progress file beside the upload.

A domain plugs in with ``runner.register_kind``: its name, and the function that reads its field map and applies
its rows (``IntakeKind.run``). Its rules (which row is created, updated or rejected) stay in the domain."""
