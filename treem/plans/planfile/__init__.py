"""Reading plan files and the agencies file: YAML in, validated frozen dataclasses out.

A *plan file* (``reference_data/plans/*.yaml``) holds a province's plan for children as data: the
document's identity, its objectives, the data elements and indicators with their targets, the task groups,
the assignments of those tasks to agencies and localities, the funding sources and the reporting rule. The
*agencies file* (``reference_data/agencies.yaml``) lists the provincial agencies with their validity, their
lineage (successors after a reorganisation) and the coordinating agency by date. Both formats are described
in ``docs/plan-format.md`` and fixed by the JSON Schemas beside this module.

Reading happens in three steps, and a file is accepted only when all three pass:

1. YAML is parsed with a loader that remembers the line of every mapping, key and list item, keeps dates
   as text (so the schema sees exactly what was written) and normalises every string to Unicode NFC;
2. the document is validated against the JSON Schema (draft 2020-12, strict: unknown fields are errors);
3. cross-checks the schema cannot express: unique codes, references between sections, verbatim wordings,
   targets consistent with the indicator's direction, agency codes and dates against the agencies file.

Every problem found is reported at once in :class:`PlanFileError`, each with the file name, the line and a
Vietnamese message naming the field, so the person editing the file can fix them in one pass. The package
is pure Python (no Django): the ``load_plan`` command builds database rows from the dataclasses returned
here.

One module per concern: ``types`` (the dataclasses returned), ``problems``, ``yaml_lines`` (step 1),
``places`` (naming a field in a message), ``schema`` (step 2), ``builders`` and ``checks`` (step 3),
``plan`` (``read_plan_file``) and ``agencies`` (``read_agencies_file``, the agencies file's own checks).
"""

from treem.plans.planfile.agencies import read_agencies_file
from treem.plans.planfile.plan import read_plan_file
from treem.plans.planfile.problems import PlanFileError, Problem
from treem.plans.planfile.types import (
    LOCALITY,
    AgenciesFile,
    Agency,
    AgencySuccessor,
    Coordinator,
    Indicator,
    PlanFile,
)

__all__ = [
    "LOCALITY",
    "AgenciesFile",
    "Agency",
    "AgencySuccessor",
    "Coordinator",
    "Indicator",
    "PlanFile",
    "PlanFileError",
    "Problem",
    "read_agencies_file",
    "read_plan_file",
]
