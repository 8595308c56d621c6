"""Analytics: zones, lines and the rules that turn tracks into events and counts."""

from anfang.analytics.engine import RULE_TYPES, RuleEngine

__all__ = ["RULE_TYPES", "RuleEngine"]
