"""Waypoint: mastery-based personalized learning for school districts."""
