"""Cooperation between organisations (issue 25), one module per concern:

| module | what |
|---|---|
| `wanted` | partners wanted: what an entry seeks (submissions.PartnerSearch), switched on and off from the management page |
| `requests` | requests to join an entry: relayed, answered on the management page (accepted → an invited partner through the partner flow), reminded and expired |
| `suggestions` | "organisations you could work with", on the management page and in a monthly e-mail |
| `figures` | cooperation in figures: statistics page, dashboard, report, open data |
| `badges` | a badge (SVG, PNG) to show for each published entry, and the share image |

Each adds its part of the management page through the `sections` hook
(submissions.extensions), registered in publishing/apps.py."""
