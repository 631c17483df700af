"""Manager reports: skills matrix, gaps, growth, trends and skill families.

Each builder aggregates in SQL or pandas (never a Python loop over people),
hides small groups (:mod:`skillmap.services.suppression`) and returns a
:class:`Report` whose tables are what the page shows and what the CSV / XLSX
exports hold, stamped with when they were computed.
"""
from skillmap.services.reports.base import Filters, Report, filter_options
from skillmap.services.reports.families import families_report
from skillmap.services.reports.gaps import gaps_report
from skillmap.services.reports.growth import growth_report
from skillmap.services.reports.matrix import matrix_report
from skillmap.services.reports.people import PEOPLE_KINDS, list_people
from skillmap.services.reports.trends import trends_report

BUILDERS = {
    "matrix": matrix_report,
    "gaps": gaps_report,
    "growth": growth_report,
    "trends": trends_report,
    "families": families_report,
}

__all__ = ["BUILDERS", "Filters", "PEOPLE_KINDS", "Report", "families_report", "filter_options",
           "gaps_report", "growth_report", "list_people", "matrix_report", "trends_report"]
