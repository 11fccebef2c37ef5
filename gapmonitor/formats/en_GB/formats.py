"""The house date style, "13 Jan 2027", for every date Django formats (templates' ``date`` filter with no
argument, django-tables2 date columns, the admin): the en-GB locale's own DATE_FORMAT, with its short
"13/01/2027" forms replaced so one format is used everywhere."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
SHORT_DATETIME_FORMAT = "j M Y H:i"
YEAR_MONTH_FORMAT = "M Y"
