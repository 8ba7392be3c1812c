"""Operational checks run by hand or by CI: `make faults` and `make backup-check`."""
