"""Reports: exports."""
