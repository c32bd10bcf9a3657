"""Assessments, evidence and artifacts, certified scoring, feedback and revision."""
