import pytest

from toolgym.models.task import ScenarioKind
from toolgym.reward.metrics import aggregate, episode_metrics, mean_metrics


def test_episode_metrics_formulas():
    assert episode_metrics(2, 4, 3) == {"solve_precision": 0.5, "solve_rate": 2 / 3, "solve_f1": 4 / 7}


def test_episode_metrics_zero_denominators():
    assert episode_metrics(0, 0, 0) == {"solve_precision": 0.0, "solve_rate": 1.0, "solve_f1": 1.0}
    assert episode_metrics(0, 0, 2) == {"solve_precision": 0.0, "solve_rate": 0.0, "solve_f1": 0.0}
    assert episode_metrics(0, 0, 2, no_call_precision=1.0)["solve_precision"] == 1.0  # the ftrl preset's choice


def test_aggregate_macro_weights_scenarios_equally():
    result = aggregate([(ScenarioKind.SINGLE_HOP, {"solve_rate": 1.0}), ("single_hop", {"solve_rate": 1.0}),
                        ("single_hop", {"solve_rate": 0.0}), (ScenarioKind.MULTI_HOP, {"solve_rate": 0.0})])
    assert result["single_hop"]["solve_rate"] == pytest.approx(2 / 3)
    assert result["multi_hop"] == {"solve_rate": 0.0}
    assert result["macro"]["solve_rate"] == pytest.approx(1 / 3)


def test_aggregate_edges():
    assert aggregate([]) == {"macro": {}}
    with pytest.raises(ValueError, match="macro"):
        aggregate([("macro", {"solve_rate": 1.0})])
    assert mean_metrics([{"a": 1.0}, {"a": 0.0, "b": 1.0}]) == {"a": 0.5, "b": 1.0}
