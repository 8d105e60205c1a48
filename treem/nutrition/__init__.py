"""Nutrition: growth measurements of children and WHO z-scores.

Key terms: weight-for-age (WAZ), length/height-for-age (HAZ) and weight-for-length/height (WHZ) z-scores of the WHO
2006 Child Growth Standards; underweight (WAZ < −2), stunting (HAZ < −2), wasting (WHZ < −2); flags for implausible
values. The z-score engine (``zscores.py``) is pure NumPy and follows WHO's anthro software exactly.
"""
