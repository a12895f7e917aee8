"""Citable releases: dated, unchanging copies of the whole public dataset.

Each release is a folder of RELEASES_DIR named for its day (`2026-12-02`, the second of
that day `2026-12-02.2`), holding the exchange-format JSON, the CSV and a manifest of
their sizes and SHA-256 checksums. `release_make` (making.py) writes one; the command
`make_release` and the monthly task `make_release` both call it. `/data/`
(commitments/public/releases.py) lists them from the folders' manifests (store.py).
"""
