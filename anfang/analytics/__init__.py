"""Analytics: zones, lines and the rules that turn tracks into events and counts."""

from anfang.analytics.engine import RuleEngine

__all__ = ["RuleEngine"]
