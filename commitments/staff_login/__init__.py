"""Staff logins: throttling, lockout and the second factor.

- addresses.py: which address a login comes from (the same rule as the API's throttle).
- lockout.py: the page a locked-out login gets, and counting the second factor's wrong
  codes as failed logins.

Who must pass a second factor is decided in one place, `second_factor_required` in
commitments/staff.py.
"""
