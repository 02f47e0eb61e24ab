"""The sandbox holds for the TF2 assignment as for TF1: `submissions/attacks/tf2_everything.py` in the TF2 child.

The TF2 notebook's graded functions, each with an attack of everything.py
(the victim folder, the grader's secrets sent over UDP, a process left in a
new session, hard limits raised, the reference imported and reloaded); each
returns the right answer only when its attack failed, so every PASS is the
sandbox holding. Under bubblewrap; the Landlock fallback's guarantees are the
core's, tested with the TF1 fixture in test_graders_attacks.py.
"""
import json
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import require_bubblewrap
from test_graders_attacks import _processes_with

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).parent / "submissions" / "attacks" / "tf2_everything.py"
ONLY = "linear_function,sigmoid,one_hot_matrix,compute_total_loss"


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    require_bubblewrap()
    folder = tmp_path_factory.mktemp("attack-tf2")
    victim = folder / "victim"
    victim.mkdir()
    (victim / "grades.csv").write_text("alice,100\n", encoding="utf-8")
    secret = "s3cret-" + secrets.token_hex(8)
    marker = "graders-attack-" + secrets.token_hex(8)
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(("127.0.0.1", 0))
    listener.setblocking(False)
    source = FIXTURE.read_text(encoding="utf-8")
    for name, value in (("VICTIM", str(victim)), ("SECRET", secret), ("UDP_PORT", str(listener.getsockname()[1])), ("MARKER", marker)):
        source = source.replace(f"@{name}@", value)
    submission = folder / "tf2_everything.py"
    submission.write_text(source, encoding="utf-8")
    results_json = folder / "results.json"
    env = dict(os.environ, GRADERS_SANDBOX="bubblewrap", GRADER_SECRET=secret, TF_TOKEN_app_terraform_io=secret)
    done = subprocess.run(
        [sys.executable, "-m", "graders", str(submission), "--only", ONLY, "--timeout", "30", "--json", str(results_json)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=600,
    )
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
    return {"done": done, "victim": victim, "secret": secret, "received": received, "survivors": survivors, "report": report}


def test_the_tf2_attacker_is_graded_as_tf2_in_bubblewrap_and_every_attack_fails(attacked):
    done = attacked["done"]
    lines = done.stdout.splitlines()
    assert lines[1].startswith("Edition: tf2 (auto: "), lines[:3]
    assert lines[2] == "Sandbox: bubblewrap (uid 65534, no network)"
    failed = [test["name"] for test in attacked["report"]["tests"] if test["status"] != "passed"]
    assert failed == [], done.stdout
    assert {test["name"].split(":")[0] for test in attacked["report"]["tests"]} == set(ONLY.split(","))
    assert done.returncode == 0, done.stderr


def test_the_tf2_attacker_leaves_the_victim_the_secret_and_the_machine_alone(attacked):
    assert (attacked["victim"] / "grades.csv").read_text(encoding="utf-8") == "alice,100\n"
    assert attacked["received"] == []  # not even the "hello": no network at all
    outputs = attacked["done"].stdout + attacked["done"].stderr + json.dumps(attacked["report"])
    assert attacked["secret"] not in outputs
    assert attacked["survivors"] == []
