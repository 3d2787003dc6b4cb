"""Reports: rollups."""
