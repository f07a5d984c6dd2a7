"""A browser in a few lines of standard library: cookies, CSRF tokens, redirects not followed.
A participant's, or an investigator's asking for a report. Used by the load benchmark and the
tests that run real servers."""

from __future__ import annotations

import http.client
import random
import re
import time
import urllib.parse
from dataclasses import dataclass, field

from tests.survey_steps import PAGES

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
ANSWERS = PAGES  # the same answers the HTTP tests give, page by page
ANSWERS_PER_SURVEY = sum(1 for _, page in ANSWERS for value in page.values() if value)


@dataclass
class Participant:
    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    # (when the answer came, on the machine's monotonic clock; how long it took), in seconds
    latencies: list[tuple[float, float]] = field(default_factory=list)

    def request(
        self, method: str, path: str, body: dict | None = None, timeout: float = 30
    ) -> tuple[int, str, str]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        ended = time.perf_counter()
        self.latencies.append((ended, ended - started))
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.headers.get("Location", ""), text

    def submit_page(
        self, position: int, answers: dict, think: float = 0, again: bool = False
    ) -> str:
        """Open the page, take `think` seconds to answer, press Next; returns where the app sent
        us. Raises on an error. `think` seconds: a participant's own pace (their time on each
        page spread evenly between half and one and a half times it, so that many participants
        do not move in step)."""
        status, _location, html = self.request("GET", f"/survey/page/{position}")
        if status != 200:
            raise RuntimeError(f"GET page {position}: {status}")
        time.sleep(think * random.uniform(0.5, 1.5))  # noqa: S311 - a pace, not a secret
        token = CSRF.search(html).group(1)
        status, location, _ = self.request(
            "POST", f"/survey/page/{position}", {**answers, "csrf_token": token, "next": "Next"}
        )
        if status != 302:
            raise RuntimeError(f"POST page {position}: {status}")
        if location.endswith(f"/survey/page/{position}") and not again:
            return self.submit_page(position, answers, again=True)  # the unread toolkit's reminder
        return location


def log_in(browser: Participant, email: str, password: str) -> None:
    """Sign a staff member in through the login form."""
    _status, _location, html = browser.request("GET", "/staff/login")
    body = {"email": email, "password": password, "csrf_token": CSRF.search(html)[1]}
    status, _location, _html = browser.request("POST", "/staff/login", body)
    if status != 302:
        raise RuntimeError(f"login: {status}")


def request_export(browser: Participant, fmt: str = "xlsx") -> str:
    """Ask for an export of every response through the exports page; returns the job's id."""
    _status, _location, html = browser.request("GET", "/staff/exports")
    body = {"status": "all", "format": fmt, "submit": "x", "csrf_token": CSRF.search(html)[1]}
    status, location, _html = browser.request("POST", "/staff/exports", body)
    if status != 302:
        raise RuntimeError(f"export request: {status}")
    return location.rsplit("/", 1)[1]
