"""The grader against a hostile submission, once under bubblewrap and once under the Landlock fallback.

`submissions/attacks/everything.py` attacks with one graded function each: it
plants symlinks and FIFOs for the grader to follow and tries to empty a
victim folder; hunts for a secret of the grader's environment in its own
environment and in every /proc/*/environ and cmdline, and sends what it finds
over UDP (below Python's socket module); leaves processes behind (a new
session, a double fork); raises its hard limits; looks for tfsigns' reference
by import, reload and file; and forges three replies on the grader's pipe
(JSON 100,000 levels deep, a 5000-digit integer, an .npy header claiming
2**47 elements). A function returns the right answer only when its attack
failed, so each PASS is the sandbox holding; the forged replies fail alone
and compute_cost, graded after them, still passes.
"""
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import require_bubblewrap, require_landlock

ROOT = Path(__file__).resolve().parents[1]
ATTACKS = Path(__file__).parent / "submissions" / "attacks"
ONLY = "linear_function,sigmoid,cost,one_hot_matrix,ones,create_placeholders,initialize_parameters,forward_propagation,compute_cost"
HELD = ("linear_function", "sigmoid", "cost", "one_hot_matrix", "ones", "compute_cost")
FORGED = {
    "create_placeholders": "invalid reply from the submission (JSON nested more than 16 levels deep)",
    "initialize_parameters": "invalid reply from the submission (an integer of 5000 digits)",
    "forward_propagation": "invalid reply from the submission (an array header claiming 140737488355328 elements of 8 bytes",
}


def _processes_with(marker):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as stream:
                    if marker.encode() in stream.read():
                        found.append(int(entry))
            except OSError:
                pass
    return found


@pytest.fixture(scope="module", params=["bubblewrap", "landlock"])
def attacked(request, tmp_path_factory):
    kind = request.param
    if kind == "bubblewrap":
        require_bubblewrap()
    else:
        require_landlock()
    folder = tmp_path_factory.mktemp(f"attack-{kind}")
    victim = folder / "victim"
    victim.mkdir()
    (victim / "grades.csv").write_text("alice,100\n", encoding="utf-8")
    secret = "s3cret-" + secrets.token_hex(8)
    marker = "graders-attack-" + secrets.token_hex(8)
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(("127.0.0.1", 0))
    listener.setblocking(False)
    source = (ATTACKS / "everything.py").read_text(encoding="utf-8")
    for name, value in (("VICTIM", str(victim)), ("SECRET", secret), ("UDP_PORT", str(listener.getsockname()[1])), ("MARKER", marker)):
        source = source.replace(f"@{name}@", value)
    submission = folder / "everything.py"
    submission.write_text(source, encoding="utf-8")
    results_json = folder / "results.json"
    env = dict(os.environ, GRADERS_SANDBOX=kind, GRADER_SECRET=secret, TF_TOKEN_app_terraform_io=secret, TF_VAR_password=secret)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "graders", str(submission), "--only", ONLY, "--timeout", "30", "--json", str(results_json)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=600,
    )
    elapsed = time.monotonic() - started
    received = []
    while True:
        try:
            received.append(listener.recv(65536))
        except BlockingIOError:
            break
    listener.close()
    survivors = _processes_with(marker)
    for pid in survivors:  # leave the machine clean even when the test fails
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    report = json.loads(results_json.read_text(encoding="utf-8")) if results_json.exists() else {"tests": []}
    yield {
        "kind": kind, "done": done, "elapsed": elapsed, "victim": victim, "secret": secret, "received": received,
        "survivors": survivors, "report": report, "json_text": results_json.read_text(encoding="utf-8") if results_json.exists() else "",
    }


def _checks(attacked, function):
    return [test for test in attacked["report"]["tests"] if test["name"].startswith(function + ":")]


def test_a_hostile_submission_is_graded_exit_1_with_the_sandbox_named(attacked):
    done = attacked["done"]
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    if attacked["kind"] == "bubblewrap":
        assert "Sandbox: bubblewrap (uid 65534, no network)" in done.stdout.splitlines()[:3]
        assert "warning:" not in done.stderr
    else:
        assert any(line.startswith("Sandbox: Landlock fallback") for line in done.stdout.splitlines()[:3])
        assert "warning: everything.py: bubblewrap not used (GRADERS_SANDBOX=landlock)" in done.stderr


def test_every_attack_but_the_forged_replies_fails_so_its_function_earns_its_points(attacked):
    for function in HELD:
        checks = _checks(attacked, function)
        assert checks, function
        assert all(check["status"] == "passed" for check in checks), (function, checks)


def test_forged_replies_fail_their_own_check_only(attacked):
    for function, reason in FORGED.items():
        (check,) = _checks(attacked, function)[:1]
        assert check["status"] == "failed" and check["score"] == 0
        assert reason in check["output"], check["output"]


def test_files_outside_the_sandbox_are_untouched(attacked):
    victim = attacked["victim"]
    assert sorted(path.name for path in victim.iterdir()) == ["grades.csv"]
    assert (victim / "grades.csv").read_text(encoding="utf-8") == "alice,100\n"


def test_no_secret_reaches_any_output_or_the_network(attacked):
    secret = attacked["secret"]
    done = attacked["done"]
    assert secret not in done.stdout and secret not in done.stderr and secret not in attacked["json_text"]
    assert not any(secret.encode() in payload for payload in attacked["received"])
    if attacked["kind"] == "bubblewrap":
        assert attacked["received"] == []  # its own empty network namespace: not even the hello


def test_no_process_of_the_submission_outlives_the_grading(attacked):
    assert attacked["survivors"] == []


# ---------------------------------------------------------------------------
# Programs that cannot be parsed, crashes at load, slow loads: graded, never an internal error


def _grade_cli(submission, *arguments, env=None):
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "graders", str(submission), *arguments],
        capture_output=True, text=True, cwd=ROOT, timeout=600, env=dict(os.environ, **(env or {})),
    )
    return done, time.monotonic() - started


@pytest.mark.parametrize(
    "source, error",
    [
        ("x = " + "-" * 100_000 + "1\n", "MemoryError"),  # the parser's own stack
        ("def linear_function():\n    return " + "+".join(["1"] * 100_000) + "\n", "RecursionError"),
    ],
)
def test_a_program_too_deep_to_parse_is_graded_0_with_a_reason(tmp_path, source, error):
    submission = tmp_path / "deep.py"
    submission.write_text(source, encoding="utf-8")
    done, _ = _grade_cli(submission, "--only", "linear_function")
    assert done.returncode == 1, done.stderr
    assert f"the submission did not load: cannot parse the file: nested too deeply for Python's parser ({error})" in done.stdout
    assert "Score: 0/5" in done.stdout and "internal error" not in done.stdout + done.stderr


CRASH_AT_LOAD = '''
import os


class Crash:
    os._exit(3)  # a class body runs at load
'''


def test_a_crash_at_load_leaves_the_answer_key_cache_as_it_was(tmp_path):
    from graders import answer_cache as answers
    from graders import grading

    grading.prepare(grading.Options(only=("linear_function", "forward_propagation"))).wait(("v3",))
    folder = answers.cache_folder()
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    assert "key" in before and any(name.endswith(".npz") for name in before)
    submission = tmp_path / "crash.py"
    submission.write_text(CRASH_AT_LOAD, encoding="utf-8")
    results = grading.grade(str(submission), grading.Options(only=("linear_function",)))
    assert results.error == "" and results.score == 0
    assert results.checks[0].reason.startswith("the submission did not load: the process loading it ")
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before


SLOW = '''
import time

import numpy as np


class Slow:
    time.sleep(@LOAD@)  # load-time work: paid once, not again after every time-out


# GRADED FUNCTION: linear_function
def linear_function():
    np.random.seed(1)
    X, W, b = np.random.randn(3, 1), np.random.randn(4, 3), np.random.randn(4, 1)
    return W @ X + b


def sigmoid(z):
    while True:
        pass


def cost(logits, labels):
    time.sleep(1000)


def one_hot_matrix(labels, C):
    while True:
        pass


def ones(shape):
    while True:
        pass


def create_placeholders(n_x, n_y):
    while True:
        pass
'''


def test_a_slow_load_is_paid_once_and_the_budget_ends_the_rest(tmp_path):
    load, limit, budget = 12, 3, 25
    submission = tmp_path / "slow.py"
    submission.write_text(SLOW.replace("@LOAD@", str(load)), encoding="utf-8")
    only = "linear_function,sigmoid,cost,one_hot_matrix,ones,create_placeholders"
    done, elapsed = _grade_cli(submission, "--only", only, "--timeout", str(limit), "--budget", str(budget))
    assert done.returncode == 1, done.stderr
    lines = done.stdout
    assert "PASS  linear_function" in lines
    assert f"did not finish within {limit} s (the time limit)" in lines
    assert f"did not finish before the submission's time budget of {budget} s ran out" in lines
    assert f"not run: the submission used up its time budget of {budget} s" in lines
    # One load (TensorFlow's import and the 12 s) and the budget: a reload after each of
    # the four time-outs would cost 4 x (12 s + the import) more.
    assert elapsed < budget + 15, elapsed
