"""Maps: every indicator of the plan drawn by commune (or by district before 01/07/2025) on the hierarchy of the
year shown.

- **Boundaries** are not shipped (no openly licensed commune shapes exist): an administrator uploads the official
  shapes (GeoJSON or a zipped Shapefile, WGS 84) for the units in force on a date, through the intake pipeline.
  Each feature is matched by official code, or proposed by accent-insensitive name; invalid shapes, unknown codes,
  missing communes and a wrong coordinate system are reported per feature, and nothing is stored until the file is
  clean or the administrator confirms (``services``, ``boundaries``). Shapes are simplified for the browser
  together, shared borders kept shared (``geometry``). A newer set retires the older one; both are kept.
- **Values** come from *sources* (``sources``): each indicator through the one engine; other domains register
  theirs. A map shows the value, numerator, denominator and communes counted per unit, and links each unit to its
  page.
- **Without shapes** the map draws proportional symbols at commune centroids from a bundled MIT-licensed reference
  file, labelled as such.
- Who: everyone with ``maps.view`` sees the units of their subtree; only administrators (``maps.boundaries``)
  upload shapes.
"""
