"""Reports: ESF+ indicators, placement outcomes, data completeness."""
from caseflow.reports import models  # noqa: F401  (the reports' indexes on the shared metadata)
