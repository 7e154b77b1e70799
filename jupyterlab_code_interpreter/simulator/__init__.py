"""A simulated OpenAI / Azure OpenAI service for tests, benchmarks and demos.

See docs/simulator.md. ``Simulator`` serves HTTP; ``load_scenario`` validates scenario files.
"""

from .scenario import Scenario, ScenarioError, load_scenario
from .server import Simulator

__all__ = ["Scenario", "ScenarioError", "Simulator", "load_scenario"]
