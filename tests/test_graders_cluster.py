"""`python -m graders batch DIR --csv F --scheduler ADDRESS` against a real Dask cluster on 127.0.0.1.

The test starts `dask scheduler` and two `dask worker` processes (one process,
one thread each) and tears them down even when a test fails. The folder holds
three submissions graded on linear_function only, so a batch costs a few
seconds of TensorFlow per submission.
"""
import csv
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from distributed import Client

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = Path(__file__).resolve().parent / "submissions"
NAMES = ("tf1_solution.py", "mistake_missing_relu.py", "syntax_error.py")
ONLY = ("--only", "linear_function")
TIMEOUT = 180  # seconds a batch may take
START_TIMEOUT = 60  # seconds for the scheduler and workers to come up
TIMING_COLUMNS = ("seconds",)


def _env(cache):
    env = dict(os.environ, PYTHONPATH=str(ROOT), TFSIGNS_CACHE=str(cache))  # this worktree's graders, also on the workers
    env.pop("TFSIGNS_DATA", None)
    return env


def _dask(*args):
    return [sys.executable, "-m", "distributed.cli.dask_" + args[0], *args[1:]]


@contextmanager
def local_cluster(base, nanny=True):
    """(scheduler address, {worker name: Popen}) of a scheduler and two workers; all killed on exit."""
    scheduler_file = base / "scheduler.json"
    env = _env(base / "cache")
    processes = []

    def start(command, log):
        # A session of its own: the teardown kills the process group (a nanny and its worker) by id.
        process = subprocess.Popen(command, env=env, cwd=base, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        processes.append(process)
        return process

    logs = []
    try:
        logs.append((base / "scheduler.log").open("wb"))
        # --port 0: the scheduler picks a free port and writes it to the scheduler file.
        start(_dask("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(scheduler_file)), logs[-1])
        deadline = time.monotonic() + START_TIMEOUT
        while not scheduler_file.exists():
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.2)
        time.sleep(0.2)  # the file is written in one go, but give it a moment
        address = json.loads(scheduler_file.read_text())["address"]
        workers = {}
        for name in ("w1", "w2"):
            logs.append((base / f"{name}.log").open("wb"))
            command = _dask("worker", address, "--host", "127.0.0.1", "--nworkers", "1", "--nthreads", "1", "--no-dashboard", "--name", name)
            workers[name] = start(command + ([] if nanny else ["--no-nanny"]), logs[-1])
        with Client(address, timeout=START_TIMEOUT, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=START_TIMEOUT)
        yield address, workers
    finally:
        for process in processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            process.wait(timeout=30)
        for log in logs:
            log.close()


def start_batch(directory, gradebook, cache, *extra):
    command = [sys.executable, "-m", "graders", "batch", str(directory), "--csv", str(gradebook), *ONLY, *extra]
    return subprocess.Popen(command, cwd=ROOT, env=_env(cache), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace")


def finish(process):
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        pytest.fail(f"batch did not finish within {TIMEOUT} s:\n{stdout}\n{stderr}")
    print(stdout, stderr, sep="\n")  # shown when a test fails
    return process.returncode, stdout, stderr


def rows(gradebook):
    """The gradebook's rows by file name, without the timing columns (the order is the order tasks finished)."""
    with gradebook.open(newline="", encoding="utf-8") as stream:
        table = list(csv.DictReader(stream))
    return {row["file"]: {key: value for key, value in row.items() if key not in TIMING_COLUMNS} for row in table}, len(table)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    directory = tmp_path_factory.mktemp("class")
    for name in NAMES:
        (directory / name).write_bytes((SUBMISSIONS / name).read_bytes())
    return directory


@pytest.fixture(scope="module")
def local_gradebook(folder, tmp_path_factory):
    base = tmp_path_factory.mktemp("local")
    code, _, stderr = finish(start_batch(folder, base / "local.csv", base / "cache"))
    assert code == 1 and "error:" not in stderr  # graded; two submissions fail linear_function
    return rows(base / "local.csv")


def test_the_cluster_gradebook_equals_the_local_one_apart_from_timing(folder, local_gradebook, tmp_path):
    expected, count = local_gradebook
    assert count == 3 and expected["tf1_solution.py"]["score"] == "5" and expected["syntax_error.py"]["score"] == "0"
    with local_cluster(tmp_path) as (address, _):
        code, stdout, stderr = finish(start_batch(folder, tmp_path / "cluster.csv", tmp_path / "cache", "--scheduler", address))
    assert code == 1 and "error:" not in stderr
    assert rows(tmp_path / "cluster.csv") == (expected, 3)
    assert sorted(line for line in stdout.splitlines() if line.endswith("/5")) == [
        "mistake_missing_relu.py: 0/5", "syntax_error.py: 0/5", "tf1_solution.py: 5/5",
    ]


def _executing(client, prefix):
    """{worker name: True} of the workers now running a task whose key starts with `prefix`."""
    names = {address: info["name"] for address, info in client.scheduler_info()["workers"].items()}
    try:
        stacks = client.call_stack()
    except Exception:  # noqa: BLE001 - a worker just killed: ask again
        return set()
    return {names.get(address, address) for address, keys in stacks.items() if any(str(key).startswith(prefix) for key in keys)}


def test_a_worker_killed_mid_task_gets_its_submission_regraded_on_the_other_worker(folder, local_gradebook, tmp_path):
    expected, _ = local_gradebook
    prefix = "grade-tf1_solution.py-"
    # --no-nanny: the killed worker stays dead (a nanny would restart it), so only the other one can regrade.
    with local_cluster(tmp_path, nanny=False) as (address, workers):
        batch = start_batch(folder, tmp_path / "cluster.csv", tmp_path / "cache", "--scheduler", address)
        try:
            with Client(address, timeout=START_TIMEOUT, set_as_default=False) as client:
                deadline = time.monotonic() + TIMEOUT
                running = set()
                while not running:
                    assert time.monotonic() < deadline and batch.poll() is None, "tf1_solution.py was never seen running"
                    running = _executing(client, prefix)
                    time.sleep(0.1)
                (victim,) = running
                os.kill(workers[victim].pid, signal.SIGKILL)
                survivor = ({"w1", "w2"} - {victim}).pop()
                regraded = set()
                while survivor not in regraded:
                    assert time.monotonic() < deadline and batch.poll() is None, "tf1_solution.py was never regraded"
                    regraded = _executing(client, prefix)
                    time.sleep(0.1)
        finally:
            code, _, stderr = finish(batch)
        assert workers[victim].poll() == -signal.SIGKILL
    assert code == 1 and "error:" not in stderr
    assert rows(tmp_path / "cluster.csv") == (expected, 3)  # tf1_solution.py's row there once, 5/5 as locally
