"""Child-friendly communes (xã, phường, thị trấn phù hợp với trẻ em): the yearly assessment of Decision 06/QĐ-TTg.

- A **scoring version** (``ScoringVersion``) is the table of a decision: 13 criteria (``Criterion``), each with
  sub-items (``SubItem``) that carry their points and their rule (a share with a threshold, a yes/no, a count).
  It is loaded from a versioned file (``reference_data/child-friendly/``, ``load_child_friendly``); a successor
  decision is a new version, and each assessment keeps the version it was made under.
- A commune's **band** (``CommuneBand``, effective-dated) decides the total it needs: 800, 850 or 900 points.
- An **assessment** (``Assessment``) is one commune's self-assessment for one year, with one ``Score`` per sub-item,
  pre-filled from treem's own figures where it holds them; an officer who changes a pre-filled figure gives a
  reason and evidence (``Evidence``), and the change is audited.
- Workflow: draft → submitted → recognised, or returned with comments (then submitted again). The reviewer is the
  level that recognises on the review date (``RecognisingLevel``, data). Recognition writes
  ``DE_COMMUNE_CHILD_FRIENDLY`` = 1 for the year through the indicator engine's ``enter_data_values``.
- Recognition rule: every criterion met, no criterion scored 0, total at least the band's threshold.

Who may do what: commune officers assess their communes; coordinators (of the recognising level) review; leaders,
coordinators and administrators see assessments and the summary of their area.
"""
