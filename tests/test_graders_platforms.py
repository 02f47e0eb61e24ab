"""The platforms' writers of the one results object: Coursera's custom-grader JSON and Gradescope's autograder.

Real grades run only linear_function (`--only`, or GRADERS_ONLY for
run_autograder): each costs one child process importing TensorFlow.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graders.results import CheckResult, Results

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = Path(__file__).resolve().parent / "submissions"
SOLUTION = SUBMISSIONS / "tf1_solution.py"
TIMEOUT = 300


def run_graders(*args, env=None, cwd=ROOT):
    env = dict(os.environ, PYTHONPATH=str(ROOT)) if env is None else env  # this worktree's graders
    command = [sys.executable, "-m", "graders", *map(str, args)]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)


def read_json(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def check(name="linear_function: Y = WX + b", points=5, max_points=5, passed=True):
    return CheckResult(name=name, function=name.split(":")[0], points=points, max_points=max_points, passed=passed, failure="" if passed else "want Y = WX + b", reason="" if passed else "wrong value")


# ---------------------------------------------------------------------------
# The dictionaries (no grading)


def test_coursera_fraction_is_score_over_max():
    results = Results("a.py", checks=[check(), check("sigmoid: sigmoid(0)", 0, 2, False), check("sigmoid: sigmoid(12)", 0, 3, False)])
    answer = results.to_coursera_dict()
    assert answer == {"fractionalScore": 0.5, "feedback": results.summary()}
    assert "FAIL  sigmoid: sigmoid(0)" in answer["feedback"] and "Score: 5/10 (2 of 3 checks failed)" in answer["feedback"]


def test_coursera_fraction_is_zero_without_points_or_when_grading_failed():
    assert Results("a.py").to_coursera_dict()["fractionalScore"] == 0.0
    assert Results("a.py", checks=[check("x: zero", 0, 0)]).to_coursera_dict()["fractionalScore"] == 0.0
    failed = Results("a.py", checks=[check()], error="internal error: boom").to_coursera_dict()
    assert failed["fractionalScore"] == 0.0
    assert "could not grade: internal error: boom" in failed["feedback"]


def test_gradescope_status_on_every_test_zero_point_ones_included():
    results = Results("a.py", checks=[check(), check("x: zero", 0, 0, True), check("x: zero failed", 0, 0, False), check("sigmoid: sigmoid(0)", 0, 2, False)])
    tests = results.to_gradescope_dict()["tests"]
    assert [(test["status"], test["score"], test["max_score"]) for test in tests] == [
        ("passed", 5.0, 5.0), ("passed", 0.0, 0.0), ("failed", 0.0, 0.0), ("failed", 0.0, 2.0),
    ]


# ---------------------------------------------------------------------------
# python -m graders SUBMISSION --coursera-json FILE


def test_coursera_json_of_a_passing_submission(tmp_path):
    coursera, gradescope = tmp_path / "feedback.json", tmp_path / "results.json"
    done = run_graders(SOLUTION, "--only", "linear_function", "--coursera-json", coursera, "--json", gradescope)
    assert done.returncode == 0, done.stderr
    answer = read_json(coursera)
    assert set(answer) == {"fractionalScore", "feedback"}
    assert answer["fractionalScore"] == 1.0
    assert answer["feedback"] == done.stdout  # the text report, every line of it
    assert "PASS  linear_function: Y = WX + b" in answer["feedback"] and "Score: 5/5 (all checks passed)" in answer["feedback"]
    tests = read_json(gradescope)["tests"]
    assert [(test["name"], test["status"], test["score"]) for test in tests] == [("linear_function: Y = WX + b", "passed", 5.0)]


def test_coursera_json_of_a_missing_submission(tmp_path):
    coursera = tmp_path / "feedback.json"
    done = run_graders(tmp_path / "missing.py", "--coursera-json", coursera)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"error: {tmp_path / 'missing.py'}: no such file"]
    answer = read_json(coursera)
    assert answer["fractionalScore"] == 0.0
    assert answer["feedback"] == done.stdout
    assert f"could not grade: {tmp_path / 'missing.py'}: no such file" in answer["feedback"].splitlines()


def test_coursera_json_and_gradescope_json_of_a_failing_submission(tmp_path):
    coursera, gradescope = tmp_path / "feedback.json", tmp_path / "results.json"
    done = run_graders(SUBMISSIONS / "syntax_error.py", "--only", "linear_function", "--coursera-json", coursera, "--json", gradescope)
    assert done.returncode == 1, done.stderr
    assert read_json(coursera) == {"fractionalScore": 0.0, "feedback": done.stdout}
    results = read_json(gradescope)
    assert results["score"] == 0.0
    [test] = results["tests"]
    assert (test["status"], test["score"], test["max_score"]) == ("failed", 0.0, 5.0)
    assert "SyntaxError" in test["output"]


@pytest.mark.parametrize("where", ["missing-folder/feedback.json", "."])
def test_coursera_json_path_is_checked_before_grading(tmp_path, where):
    done = run_graders(SOLUTION, "--coursera-json", tmp_path / where)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith("error: --coursera-json: ")
    assert done.stdout == ""  # nothing graded
