"""Plans: a province's plan as data — identity, targets, indicators, task groups, tasks and who is responsible.

Key terms: an *indicator* is factor × numerator ÷ denominator over data elements, with targets per year and a
comparison taken from the plan's wording (``lt`` for "dưới 15%", ``gte`` for "đạt 98%"…); a *task* belongs to a task
group of §III; an *assignment* gives an agency or the localities their responsibilities (§V). Plans are loaded from
versioned YAML files (``reference_data/plans/``) and a reload never loses what was entered against them.
"""
