"""The load benchmark (`make bench`): builds large catalogues in a database of its own,
serves the app with gunicorn under production settings and measures it. Not part of
the test suite; its figures are printed, never asserted. See bench/run.py."""
