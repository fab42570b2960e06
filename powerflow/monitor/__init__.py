"""E-supervision (电子监察): alert policies, the overdue sweep, delivery, handling and scores.

``policy`` defines when a limit draws a 预警/黄牌/红牌; ``sweep`` raises each alert once;
``delivery`` posts alerts to a webhook; ``handling`` acknowledges, appeals and revokes;
``scores`` computes the monthly 效能积分.
"""

from powerflow.monitor.delivery import Webhook
from powerflow.monitor.handling import alert_history, handle_alert, list_alerts
from powerflow.monitor.policy import (
    AlertPolicy,
    Level,
    LimitKind,
    load_policy,
    parse_policy,
    preset_names,
)
from powerflow.monitor.scores import PostScore, efficiency
from powerflow.monitor.sweep import Alert, SweepResult, mark_all_for_check, sweep, sweep_log

__all__ = [
    "Alert",
    "AlertPolicy",
    "Level",
    "LimitKind",
    "PostScore",
    "SweepResult",
    "Webhook",
    "alert_history",
    "efficiency",
    "handle_alert",
    "list_alerts",
    "load_policy",
    "mark_all_for_check",
    "parse_policy",
    "preset_names",
    "sweep",
    "sweep_log",
]
