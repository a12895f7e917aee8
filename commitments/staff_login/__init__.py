"""Staff logins: throttling, lockout and the second factor.

- addresses.py: which address a login comes from (the same rule as the API's throttle).
- lockout.py: the page a locked-out login gets; the second factor's wrong codes counted as
  failed logins, and a completed login's earlier failures forgotten.
- devices.py: a person's authenticator app and recovery codes, as services.
- middleware.py: no admin page for a login that has still to pass its second factor.
- views.py, urls.py: the second factor's pages, under /admin/second-factor/.

Who must pass a second factor is decided in one place, `second_factor_required` in
commitments/staff.py.
"""
