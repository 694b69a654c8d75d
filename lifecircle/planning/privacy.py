"""Planning holds nothing about residents; its links to accounts record which planner acted."""
from lifecircle.accounts.pipl import register_actor_fields

register_actor_fields("the planner who made the scenario or change", "planning.Scenario.created_by",
                      "planning.ScenarioChange.user")
