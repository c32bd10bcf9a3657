"""Mastery levels derived from certified scores (calculation methods, roll-up, incremental and bulk
recompute) and Bayesian Knowledge Tracing estimates from auto-scored practice."""
