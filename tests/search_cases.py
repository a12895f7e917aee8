"""What a search (`q`) must find, the same on PostgreSQL (tests/test_search.py) and on
SQLite (tests/test_sqlite_search.py). Each test module makes the two pledges: TEEN, with
SUMMARY, on a platform whose name is not searched for here; VOICE on Roblox, citing a
source titled "Ledger…"."""

TEEN = "Teen accounts are private by default"
SUMMARY = "Protections for under-16s in direct messages."
VOICE = "Voice chat age checks"

CASES = [
    ("teen", {TEEN}),  # a title word, any case
    ("PROTECT", {TEEN}),  # the start of a word, any case
    ("direct messages", {TEEN}),  # every word
    ("roblox", {VOICE}),  # the platform's name
    ("ledger", {VOICE}),  # a cited source's title
    ("teen roblox", set()),  # two words from two pledges match neither
    ("rivate", set()),  # the middle of a word is not the start of one
    ("!!! ???", set()),  # nothing searchable finds nothing, and is no syntax error
    ("under-16s", {TEEN}),
    # Either database's query syntax in the input is only text.
    ("it's & (x | y):* <->", set()),
    ('"NEAR" OR AND NOT * ^teen', set()),
]
