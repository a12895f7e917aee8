"""Addresses of many records of one kind from one reverse(): the address is reversed
once with KEY in the record's place, and each record's key then goes where KEY was.
reverse() costs 20-90 µs (the URL resolver, the language, the script prefix) and a page
asks for one or more per row: the listing's rows ({% slug_url %},
commitments/templatetags/links.py), the API's links (commitments/api/serializers.py)
and the admin list's rows (commitments/admin/lists.py).

KEY is no slug slugify() makes (it never starts with a dash) and no integer key, and
every URL converter the project uses takes it.
"""

KEY = "--key--"


def around_key(address: str) -> tuple[str, str]:
    """What comes before and after KEY in `address`, reversed with KEY as the key."""
    before, _, after = address.rpartition(KEY)
    return before, after
