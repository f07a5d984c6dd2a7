"""The M.I.L.K survey platform.

`flask --app survey ...` finds `create_app` here. The factory module is imported only when
called, so `survey.models` and `survey.questionnaire` stay importable without Flask (the
exports library depends on that).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    from survey.app import create_app as build

    return build(config)
