"""Protection: child-protection case management under Decree 56/2017/NĐ-CP, and the injury/incident register.

Case files are the most sensitive data treem keeps: a case is visible only to its assigned workers, their supervisor
and the commune's protection lead; everyone else sees counts without identities.
"""
