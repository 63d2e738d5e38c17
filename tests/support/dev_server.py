"""`guide serve` run for real, as an author runs it: a process of its own with Werkzeug's reloader."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from migration_guide.config import PROJECT_ROOT


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def guide_serve(content: Path, instance: Path, seconds: float = 60) -> Iterator[str]:
    """Runs `guide serve --content CONTENT` until the block ends; yields its address (no trailing slash)."""
    port = _free_port()
    environment = {**os.environ, "INSTANCE_DIR": str(instance), "PYTHONPATH": str(PROJECT_ROOT)}
    command = [sys.executable, "-m", "migration_guide.cli", "serve", "--port", str(port), "--content", str(content)]
    # A session of its own, so the reloader's child process is stopped with its parent.
    server = subprocess.Popen(
        command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + seconds
        while True:
            try:
                # The first answer loads the guide: on a loaded machine that can take a while.
                urllib.request.urlopen(f"{url}/robots.txt", timeout=30).read()
                break
            except OSError:  # not listening yet (URLError, ConnectionError), or slow (TimeoutError)
                if server.poll() is not None:
                    raise RuntimeError(f"guide serve stopped: {server.stderr.read().decode()}") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"guide serve did not answer within {seconds} s") from None
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)
        server.stderr.close()
