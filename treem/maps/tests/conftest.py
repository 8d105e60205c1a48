from treem.plans.tests.factories import lai_chau_plan  # noqa: F401  (fixture)
