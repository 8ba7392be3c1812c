# Finland-Swedish usage (Svenska språkbyrån): 31.12.2027, kl. 10.00 — not Sweden's
# 2027-12-31 that Django's "sv" gives.
DATE_FORMAT = "j.n.Y"
TIME_FORMAT = "G.i"
DATETIME_FORMAT = r"j.n.Y \k\l\. G.i"
MONTH_DAY_FORMAT = "j.n."
SHORT_DATE_FORMAT = "j.n.Y"
SHORT_DATETIME_FORMAT = "j.n.Y G.i"
FIRST_DAY_OF_WEEK = 1
DATE_INPUT_FORMATS = [
    "%d.%m.%Y",  # '31.12.2027'
    "%d.%m.%y",  # '31.12.27'
    "%Y-%m-%d",  # '2027-12-31'
]
DATETIME_INPUT_FORMATS = [
    "%d.%m.%Y %H.%M.%S",  # '31.12.2027 14.30.59'
    "%d.%m.%Y %H.%M",  # '31.12.2027 14.30'
    "%d.%m.%Y %H:%M:%S",  # '31.12.2027 14:30:59'
    "%d.%m.%Y %H:%M",  # '31.12.2027 14:30'
    "%Y-%m-%d %H:%M:%S",  # '2027-12-31 14:30:59'
    "%Y-%m-%d %H:%M",  # '2027-12-31 14:30'
]
TIME_INPUT_FORMATS = [
    "%H.%M.%S",  # '14.30.59'
    "%H.%M",  # '14.30'
    "%H:%M:%S",  # '14:30:59'
    "%H:%M",  # '14:30'
]
