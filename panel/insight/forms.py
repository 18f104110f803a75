"""The insight pages' period filter (a GET form, so that a period can be bookmarked and its
tables downloaded as shown), and the financial year an annual report is produced for."""

from __future__ import annotations

from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovSelect

from panel.core.forms import BaseForm, ChoiceField, OptionalChoiceField, SubmitButton, options
from panel.insight.measures import DEFAULT_PERIOD, Period, periods_offered
from panel.insight.pdf import years_offered


class PeriodForm(BaseForm):
    class Meta:
        csrf = False

    period = OptionalChoiceField("Period", "Select a period from the list", widget=GovSelect())
    submit = SubmitButton("Show figures")

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.offered = periods_offered(today)
        self.period.choices = options(
            (key, _choice_label(key, period, today)) for key, period in self.offered.items()
        )

    def chosen(self) -> Period:
        """The period asked for; the last 12 months if none was, or if the one asked for is not
        offered (the page then says so in its error summary)."""
        self.validate()
        if self.period.errors or not self.period.data:
            if not self.period.errors:
                self.period.data = DEFAULT_PERIOD
            return self.offered[DEFAULT_PERIOD]
        return self.offered[self.period.data]


def _choice_label(key: str, period: Period, today: date) -> str:
    """The period as the list offers it: a quarter or financial year not over yet says so (the
    last 12 months always run to the end of this month)."""
    label = period.label[0].upper() + period.label[1:]
    return f"{label} (so far)" if period.end > today and key != DEFAULT_PERIOD else label


class AnnualReportForm(BaseForm):
    """Which financial year to produce the annual report for: the last complete one first."""

    year = ChoiceField(
        "Financial year",
        "Select the financial year to produce the report for",
        coerce=int,
        widget=GovSelect(),
    )
    submit = SubmitButton("Produce the annual report")

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        years = years_offered(today)
        self.year.choices = options(
            (str(year), f"April {year} to March {year + 1}") for year in years
        )
        if self.year.data is None and not self.is_submitted():
            self.year.data = years[0]
