"""Choosing what to answer: the first matching rule, honouring ``times`` budgets.

The scenario itself is immutable; how often each rule and fault has fired lives here so
``Simulator.set_scenario`` starts every budget afresh.
"""

from __future__ import annotations

from dataclasses import dataclass

from .conversation import Conversation
from .scenario import Deployment, Fault, Match, Reply, Rule, Scenario, Timing


@dataclass(frozen=True)
class Decision:
    """What to do with one request: inject ``fault``, else send ``reply``, else report no match."""

    reply: Reply | None
    fault: Fault | None
    timing: Timing
    rule: Rule | None


def matches(match: Match, conversation: Conversation) -> bool:
    """True when every condition the rule gives holds for this request."""
    c = conversation
    checks = (
        match.last_user is None or match.last_user.search(c.last_user) is not None,
        match.last_tool is None
        or (c.last_tool is not None and match.last_tool.search(c.last_tool)),
        match.system is None or match.system.search(c.system) is not None,
        match.model is None or c.model in match.model,
        match.deployment is None or c.deployment in match.deployment,
        match.has_tools is None or match.has_tools == c.has_tools,
        match.turn is None or match.turn == c.turn,
    )
    return all(checks)


class Matcher:
    """Picks the reply or fault for each request and counts ``times`` budgets."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self._fired: dict[object, int] = {}

    def decide(self, conversation: Conversation, deployment: Deployment | None) -> Decision:
        """Choose without consuming budgets; call ``commit`` once the request is accepted."""
        timing = (deployment and deployment.timing) or self.scenario.timing
        if deployment and deployment.fault and self._has_budget(deployment.fault):
            return Decision(None, deployment.fault, timing, None)
        for rule in self.scenario.rules:
            if not self._has_budget(rule) or not matches(rule.match, conversation):
                continue
            fault = rule.fault if rule.fault and self._has_budget(rule.fault) else None
            if fault is None and rule.reply is None:
                continue  # a fail-N-times rule whose failures are used up falls through
            return Decision(rule.reply, fault, rule.timing or timing, rule)
        return Decision(self.scenario.default, None, timing, None)

    def commit(self, decision: Decision) -> None:
        """Count a decision that was actually carried out against its budgets."""
        for budgeted in (decision.rule, decision.fault):
            if budgeted is not None:
                self._fired[id(budgeted)] = self._fired.get(id(budgeted), 0) + 1

    def _has_budget(self, item: Rule | Fault) -> bool:
        return item.times is None or self._fired.get(id(item), 0) < item.times
