"""Aggregates for accountability and equal-access reporting. Not an installed app yet: it holds pure modules
(`suppression`) that every report shares, so that one rule protects small groups everywhere."""
