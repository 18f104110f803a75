"""Meetings of a panel: series, the lifecycle, agendas, attendance, matters arising, calendars."""
