# Polish practice software writes dates as 05.03.2026 (Django's own Polish format is 05-03-2026).
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
