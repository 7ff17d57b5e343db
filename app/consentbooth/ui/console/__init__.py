"""The staff console: leads, a person's record and rights requests, a dashboard."""
