"""Nutrition: growth measurements of the registry's children under five, WHO z-scores, underweight and stunting.

Key terms: weight-for-age (WAZ), length/height-for-age (HAZ) and weight-for-length/height (WHZ) z-scores of the WHO
2006 Child Growth Standards; underweight (WAZ < −2), stunting (HAZ < −2), wasting (WHZ < −2), severe forms below −3;
flags for implausible values. The z-score engine (``zscores.py``) is pure NumPy and follows WHO's anthro software
exactly; ``prevalence.py`` counts each child once at its latest valid measurement, on the rounded score.

Invariants: one measurement per child and day; scores are computed by the engine when a measurement is saved and
stored rounded with their flags; a measurement is never hard-deleted and every change is an audit event.
Who may do what: the commune officer records, corrects and imports measurements of the children of their communes;
the coordinating agency views them; leaders see only the indicators (I05, I06 and the extra nutrition elements).
"""
