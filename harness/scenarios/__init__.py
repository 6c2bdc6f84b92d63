"""Scenario files and their runner: the YAML QA write, the steps they call, the reports."""
