"""The editors' desk as plain functions: the views are thin forms over these.

``edits`` changes an edition (every change logged in ``EditLog``), ``checks`` finds what an
editor should look at before approving, ``proofs`` renders what readers will see and sends
a test, ``access`` says who may use the desk.
"""

__all__ = ["access", "checks", "edits", "proofs"]
