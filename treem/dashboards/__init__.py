"""Dashboards: read-only pages composed from the other domains' selectors.

Key terms: the home page (tổng quan) shows what the signed-in user's roles can reach. Dashboards never write and
nothing imports from this app.
"""
