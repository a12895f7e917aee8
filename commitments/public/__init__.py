"""Public pages, one module per part of the site. Views are short: load, filter, render.

Only published commitments appear anywhere public: every view starts from
`Commitment.objects.published()`.
"""
