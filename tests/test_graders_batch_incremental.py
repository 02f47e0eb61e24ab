"""The batch's gradebook is written row by row: kills, Ctrl-C, --resume, --reports, piped output, exit codes.

Every run grades only linear_function (`--only`) so a submission costs a few
seconds; the answer-key cache is shared by the module's runs.
"""
import csv
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graders.batch import header

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = Path(__file__).resolve().parent / "submissions"
TIMEOUT = 300  # seconds for one batch run
HEADER = header(["linear_function"])


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("tfsigns-cache")


def command(directory, gradebook, *extra):
    return [sys.executable, "-m", "graders", "batch", str(directory), "--csv", str(gradebook), "--only", "linear_function", *extra]


def environment(cache):
    env = dict(os.environ, PYTHONPATH=str(ROOT), TFSIGNS_CACHE=str(cache))  # this worktree's graders
    env.pop("TFSIGNS_DATA", None)
    return env


def run_batch(directory, gradebook, cache, *extra):
    return subprocess.run(command(directory, gradebook, *extra), cwd=ROOT, env=environment(cache), capture_output=True, text=True, timeout=TIMEOUT)


def folder(path, *names):
    path.mkdir()
    for name in names:
        (path / name).write_bytes((SUBMISSIONS / name).read_bytes())
    return path


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(gradebook):
    with open(gradebook, newline="", encoding="utf-8") as stream:
        return list(csv.reader(stream))


def start_and_wait_for_first_row(directory, gradebook, cache):
    """The batch process, once its gradebook holds the header and one complete row."""
    process = subprocess.Popen(command(directory, gradebook), cwd=ROOT, env=environment(cache), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if gradebook.exists() and gradebook.read_bytes().count(b"\r\n") >= 2:
            return process
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    pytest.fail(f"no first row within {TIMEOUT} s (exit {process.poll()}): {process.communicate()[1][-2000:]}")


# syntax_error is graded first (name order) and at once; the two solutions take TensorFlow seconds each
THREE = ("syntax_error.py", "tf1_solution.py", "v3b_solution.py")


def test_a_sigkilled_batch_leaves_its_finished_rows_intact_and_parseable(tmp_path, cache):
    directory = folder(tmp_path / "class", *THREE)
    gradebook = tmp_path / "grades.csv"
    process = start_and_wait_for_first_row(directory, gradebook, cache)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    table = rows(gradebook)
    assert table[0] == HEADER
    assert 1 <= len(table) - 1 < len(THREE)
    first = dict(zip(HEADER, table[1]))
    assert len(table[1]) == len(HEADER)
    assert first["file"] == "syntax_error.py"
    assert first["sha256"] == sha256(directory / "syntax_error.py")
    assert (first["score"], first["max"], first["graded"]) == ("0", "5", "yes")
    assert float(first["seconds"]) >= 0.0


def test_ctrl_c_keeps_the_rows_says_how_many_were_graded_and_exits_2(tmp_path, cache):
    directory = folder(tmp_path / "class", *THREE)
    gradebook = tmp_path / "grades.csv"
    process = start_and_wait_for_first_row(directory, gradebook, cache)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    graded = len(rows(gradebook)) - 1
    assert process.returncode == 2
    assert f"interrupted: {graded} of 3 graded" in err.splitlines()
    assert "Traceback" not in err
    assert 1 <= graded < 3
    assert rows(gradebook)[0] == HEADER


def test_resume_grades_only_new_or_changed_submissions_and_drops_a_half_written_row(tmp_path, cache):
    directory = folder(tmp_path / "class", "syntax_error.py", "tf1_solution.py", "v3b_solution.py")
    (directory / "v3b_solution.py").write_bytes((directory / "v3b_solution.py").read_bytes() + b"\n# changed\n")
    gradebook = tmp_path / "grades.csv"
    kept = ["tf1_solution.py", sha256(directory / "tf1_solution.py"), "5", "5", "yes", "v3", "5", "", "12.0"]
    stale = ["v3b_solution.py", "0" * 64, "5", "5", "yes", "v3", "5", "", "12.0"]  # its bytes changed since
    with open(gradebook, "w", newline="", encoding="utf-8") as stream:
        csv.writer(stream).writerows([HEADER, kept, stale])
        stream.write("syntax_error.py," + sha256(directory / "syntax_error.py")[:20])  # a crash mid-row
    completed = run_batch(directory, gradebook, cache, "--resume", "--reports", str(tmp_path / "new" / "reports"))
    assert completed.returncode == 1, completed.stderr  # syntax_error scores 0/5 (the resumed 5/5 row counts too)
    lines = completed.stdout.splitlines()
    assert lines[0] == "resumed: 1 already graded"
    assert sorted(lines[1:3]) == ["syntax_error.py: 0/5", "v3b_solution.py: 5/5"]
    assert lines[3] == f"gradebook: {gradebook} (3 submissions)"
    assert "\r" not in completed.stdout + completed.stderr  # piped: no progress bar
    table = rows(gradebook)
    assert table[:3] == [HEADER, kept, stale]
    new = {row[0]: row for row in table[3:]}
    assert sorted(new) == ["syntax_error.py", "v3b_solution.py"]
    assert new["v3b_solution.py"][1] == sha256(directory / "v3b_solution.py")
    assert new["syntax_error.py"][1] == sha256(directory / "syntax_error.py")
    assert all(len(row) == len(HEADER) for row in table)
    reports = tmp_path / "new" / "reports"
    assert sorted(path.name for path in reports.iterdir()) == [
        "syntax_error.py.json", "syntax_error.py.txt", "v3b_solution.py.json", "v3b_solution.py.txt",
    ]


def test_resume_of_a_gradebook_with_other_columns_is_one_error_line_and_exit_2(tmp_path, cache):
    directory = folder(tmp_path / "class", "syntax_error.py")
    gradebook = tmp_path / "grades.csv"
    gradebook.write_text("file,sha256,score,max,graded,edition,sigmoid,error,seconds\r\n", encoding="utf-8")
    completed = run_batch(directory, gradebook, cache, "--resume")
    assert completed.returncode == 2
    assert completed.stderr.count("\n") == 1
    assert completed.stderr.startswith(f"error: --resume: {gradebook} has the columns file,sha256,score,max,graded,edition,sigmoid,error,seconds")
    assert gradebook.read_bytes() == b"file,sha256,score,max,graded,edition,sigmoid,error,seconds\r\n"  # left as it was


def test_the_exit_code_is_0_only_when_every_submission_got_full_marks(tmp_path, cache):
    full = run_batch(folder(tmp_path / "full", "tf1_solution.py"), tmp_path / "full.csv", cache)
    assert full.returncode == 0, full.stderr
    assert full.stdout.splitlines()[0] == "tf1_solution.py: 5/5"
    resumed = run_batch(tmp_path / "full", tmp_path / "full.csv", cache, "--resume")  # nothing left: still 0
    assert resumed.returncode == 0
    assert resumed.stdout.splitlines()[0] == "resumed: 1 already graded"
    assert len(rows(tmp_path / "full.csv")) == 2
