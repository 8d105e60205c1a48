"""Indicators: the one engine every figure passes through.

Key terms: a *data element* is a countable thing, either entered (a value reported by an agency or a commune) or
derived (counted from records by a registered function); an *indicator* is factor × numerator ÷ denominator over
data elements. Values at the lowest level are rolled up any subtree by summing numerators and denominators, on the
hierarchy valid in each period; missing data stays missing, never zero.
"""
