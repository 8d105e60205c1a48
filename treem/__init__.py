"""treem: the information system for a province's plan for the care, education and protection of children."""
