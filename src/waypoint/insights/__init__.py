"""Accountability by growth: the aggregates behind the school, district and state dashboards, the
graduation-rate calculator, the district self-study, the schools' action plans and their exports. Every
figure shown passes `insights.suppression` (Connecticut's rule) first."""
