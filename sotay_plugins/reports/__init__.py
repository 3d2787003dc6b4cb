"""Reports and statistics (SPEC.md module 5): figures every module provides through the
registry's statistics providers, rolled up per unit and period by jobs, shown scoped on one
dashboard, and exported (Excel, PDF, the monthly pack) by background jobs."""
