"""Real servers started by the tests (moto's S3 server, gunicorn, a Celery worker): a free
loopback port, a process in its own process group, waited for until it answers, and always
stopped — the whole group — when the `with` block ends, failed tests included."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 30.0) -> None:
    """Poll `url` until it answers any HTTP status; raises RuntimeError with the process's
    output if it exits first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def stop(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """SIGTERM the process group, then SIGKILL it if it has not exited after `timeout` s."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # Children left behind by a parent that died first (gunicorn's workers).
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@contextlib.contextmanager
def running(args: list[str], *, env: dict, log: Path, ready_url: str | None = None):
    """Run `args` (stdout and stderr to `log`) until the block ends; yields the Popen."""
    with open(log, "wb") as out:
        process = subprocess.Popen(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        if ready_url:
            try:
                wait_for_http(ready_url, process)
            except RuntimeError as error:
                raise RuntimeError(f"{error}; its output:\n{log.read_text()[-3000:]}") from None
        yield process
    finally:
        stop(process)


def redis_answers(url: str) -> tuple[bool, str]:
    """Whether a Redis server answers PING at `url`, and why not."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except (redis.RedisError, OSError) as error:
        return False, f"no Redis answers at {url} ({error})"
    return True, ""


def s3_client(s3: dict):
    """A boto3 S3 client for the `s3_server` fixture's server."""
    import boto3

    env = s3["env"]
    return boto3.client(
        "s3",
        endpoint_url=s3["endpoint_url"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=env["AWS_DEFAULT_REGION"],
    )
