"""Registry: the commune child database (cơ sở dữ liệu trẻ em cấp xã).

Key terms: the child record with its history, guardians, special circumstances (the 14 groups of Article 10 of the
Law on Children 2016), consent; imports of the communes' Excel files where every row ends created, updated or
rejected with a reason; standardisation of names, dates, sexes, ethnic groups and ID numbers; duplicate detection.
"""
