"""The tests' one clock. A test that needs "today" or "now" takes it from here, and
services take it as `today=`/`now=` (or the test travels to it with time-machine)."""

import datetime

NOW = datetime.datetime(2026, 11, 25, 8, 0, tzinfo=datetime.UTC)  # when digests go out
TODAY = NOW.date()  # a Wednesday, in ISO week 2026-W48
