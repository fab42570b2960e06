"""Delivering alerts to a webhook: POST one JSON object per alert, retry, never lose one.

An alert raised while a webhook is configured is ``pending`` until the webhook answers 2xx.
A sweep claims pending alerts for a short lease (so two monitors do not post the same alert at
once), posts each with retries, and leaves failures pending for the next sweep.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from powerflow import store

LEASE = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Webhook:
    """Where alerts are POSTed, how often a post is retried and how long to wait in between."""

    url: str
    retries: int = 3
    backoff_seconds: float = 0.5
    timeout_seconds: float = 5.0


def post_json(webhook: Webhook, payload: dict[str, Any]) -> str | None:
    """POST once; None when the receiver answered 2xx, else what went wrong."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        webhook.url, data=body, method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=webhook.timeout_seconds) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        return f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
    return None if 200 <= status < 300 else f"HTTP {status}"


def post_with_retries(webhook: Webhook, payload: dict[str, Any]) -> tuple[str | None, int]:
    """POST with up to ``retries`` more attempts after a failure: (error or None, attempts)."""
    waiter = threading.Event()
    error, attempts = post_json(webhook, payload), 1
    while error is not None and attempts <= webhook.retries:
        waiter.wait(webhook.backoff_seconds * attempts)
        error, attempts = post_json(webhook, payload), attempts + 1
    return error, attempts


def deliver_pending(db: Engine, webhook: Webhook, now: dt.datetime) -> tuple[int, int]:
    """Post every pending alert this monitor can claim; return (delivered, failed)."""
    from powerflow.monitor.sweep import alert_from_row

    alerts = store.alerts
    with store.transaction(db) as connection:
        claimed = list(
            connection.execute(
                alerts.update()
                .where(
                    alerts.c.delivery == "pending",
                    sa.or_(alerts.c.claimed_until.is_(None), alerts.c.claimed_until < now),
                )
                .values(claimed_until=now + LEASE)
                .returning(*alerts.c)
            )
        )
    delivered = failed = 0
    for row in sorted(claimed, key=lambda r: r.id):
        error, attempts = post_with_retries(webhook, alert_from_row(row).to_json())
        values: dict[str, Any] = {
            "delivery_attempts": row.delivery_attempts + attempts,
            "claimed_until": None,
        }
        if error is None:
            values |= {"delivery": "delivered", "delivery_error": None}
            delivered += 1
        else:
            values |= {"delivery_error": error}
            failed += 1
        with store.transaction(db) as connection:
            connection.execute(alerts.update().where(alerts.c.id == row.id).values(**values))
    return delivered, failed
