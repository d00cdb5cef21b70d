"""``client.jobs``: background jobs of very large folder operations (``202 {"job_id"}``)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable, Optional, cast
from urllib.parse import quote

from .errors import ApiError
from .models import Job, json_object

if TYPE_CHECKING:  # pragma: no cover
    from .client import Client

__all__ = ["Jobs", "JobProgress"]

#: Called with the job each time it is fetched while waiting, e.g. to show ``done``/``total``.
JobProgress = Callable[[Job], None]


class Jobs:
    """Background jobs, reached as ``client.jobs``.

    Example::

        job = client.jobs.get("job_123")
        print(job["status"], job.get("done"), job.get("total"))
    """

    #: Seconds between two looks at a job while waiting for it.
    poll_interval = 1.0

    def __init__(self, client: Client) -> None:
        self._client = client

    def get(self, job_id: str) -> Job:
        """A job's status (``running``, ``done`` or ``failed``) and progress."""
        path = f"/v1/jobs/{quote(job_id, safe='')}"
        return cast(Job, json_object(self._client.request_json("GET", path)))

    def wait(self, job_id: str, *, interval: Optional[float] = None, on_progress: Optional[JobProgress] = None) -> Job:
        """Poll a job until it is finished and return it; a failed job raises its ``ApiError``.

        Example::

            job = client.jobs.wait("job_123", on_progress=lambda j: print(j.get("done")))
        """
        while True:
            job = self.get(job_id)
            if on_progress is not None:
                on_progress(job)
            if job.get("status") == "failed":
                error = json_object(job.get("error"))
                message = error.get("message") or f"job {job_id} failed: see GET /v1/jobs/{job_id}"
                raise ApiError(409, str(error.get("code") or "internal_error"), str(message), None)
            if job.get("status") != "running":
                return job
            time.sleep(self.poll_interval if interval is None else interval)
