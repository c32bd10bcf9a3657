"""Placeholder until its owner writes it: the graduation-rate arithmetic (pure, no Django)."""
