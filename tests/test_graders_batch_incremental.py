"""`python -m graders batch` that an instructor can leave running: rows on disk as they finish, --resume, --reports.

Every run grades only linear_function (`--only`), so a submission costs a
child start and a TensorFlow import, a few seconds.
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

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = Path(__file__).resolve().parent / "submissions"
TIMEOUT = 300  # seconds for a whole batch run
ONLY = ("--only", "linear_function")
HEADER = ["file", "sha256", "score", "max", "graded", "edition", "linear_function", "error", "seconds"]

# A correct linear_function that first sleeps: the batch is still grading it
# when the test interrupts or kills the batch.
SLOW = (SUBMISSIONS / "tf1_solution.py").read_text(encoding="utf-8").replace(
    "def linear_function():", "def linear_function():\n    import time\n    time.sleep(120)", 1
)


def _env(cache):
    env = dict(os.environ, PYTHONPATH=str(ROOT), TFSIGNS_CACHE=str(cache))  # this worktree's graders
    env.pop("TFSIGNS_DATA", None)
    return env


def _command(directory, gradebook, *extra):
    return [sys.executable, "-m", "graders", "batch", str(directory), "--csv", str(gradebook), *ONLY, *extra]


def run_batch(directory, gradebook, cache, *extra):
    completed = subprocess.run(
        _command(directory, gradebook, *extra), cwd=ROOT, env=_env(cache), capture_output=True, text=True, errors="replace", timeout=TIMEOUT
    )
    print(completed.stdout, completed.stderr, sep="\n")  # shown when a test fails
    return completed


def rows(gradebook):
    with gradebook.open(newline="", encoding="utf-8") as stream:
        table = list(csv.reader(stream))
    assert table[0] == HEADER
    return [dict(zip(HEADER, row)) for row in table[1:]]


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A class of two graded once, with --reports into a folder that does not exist yet."""
    base = tmp_path_factory.mktemp("incremental")
    directory = base / "class"
    directory.mkdir()
    (directory / "good.py").write_bytes((SUBMISSIONS / "tf1_solution.py").read_bytes())
    (directory / "broken.py").write_bytes((SUBMISSIONS / "syntax_error.py").read_bytes())
    gradebook = base / "gradebook.csv"
    reports = base / "reports" / "week 3"
    completed = run_batch(directory, gradebook, base / "cache", "--reports", str(reports))
    return base, directory, gradebook, reports, completed


def test_the_gradebook_has_each_submission_with_its_digest_and_seconds(graded):
    _, directory, gradebook, _, completed = graded
    assert completed.returncode == 1  # every submission graded, one failed its check
    by_name = {row["file"]: row for row in rows(gradebook)}
    assert sorted(by_name) == ["broken.py", "good.py"]
    assert (by_name["good.py"]["score"], by_name["good.py"]["linear_function"]) == ("5", "5")
    assert (by_name["broken.py"]["score"], by_name["broken.py"]["graded"]) == ("0", "yes")
    for name, row in by_name.items():
        assert row["sha256"] == sha256(directory / name)
        assert 0.0 <= float(row["seconds"]) < TIMEOUT
    assert float(by_name["good.py"]["seconds"]) > 0.5  # a child started and imported TensorFlow; the syntax error needed none


def test_reports_creates_its_folder_and_writes_each_report(graded):
    _, _, _, reports, _ = graded
    assert sorted(path.name for path in reports.iterdir()) == ["broken.py.json", "broken.py.txt", "good.py.json", "good.py.txt"]
    assert "Score: 5/5" in (reports / "good.py.txt").read_text(encoding="utf-8")


def test_piped_output_is_plain_lines_without_a_progress_bar(graded):
    _, _, gradebook, _, completed = graded
    assert "\r" not in completed.stdout + completed.stderr
    assert sorted(completed.stdout.splitlines()[:2]) == ["broken.py: 0/5", "good.py: 5/5"]
    assert completed.stdout.splitlines()[2] == f"gradebook: {gradebook} (2 submissions)"


def test_resume_grades_only_what_has_no_row_with_its_name_and_digest(graded, tmp_path):
    base, directory, gradebook, _, _ = graded
    resumed_book = tmp_path / "gradebook.csv"
    resumed_book.write_bytes(gradebook.read_bytes())
    before = resumed_book.read_bytes()

    again = run_batch(directory, resumed_book, base / "cache", "--resume")
    assert again.returncode == 1  # the exit code counts the resumed rows
    assert again.stdout.splitlines()[0] == "resumed: 2 already graded"
    assert resumed_book.read_bytes() == before  # nothing regraded, nothing rewritten

    changed = tmp_path / "class"
    changed.mkdir()
    for name in ("good.py", "broken.py"):
        (changed / name).write_bytes((directory / name).read_bytes())
    (changed / "good.py").write_bytes((directory / "good.py").read_bytes() + b"\n# edited after grading\n")
    third = run_batch(changed, resumed_book, base / "cache", "--resume")
    assert third.stdout.splitlines()[:2] == ["resumed: 1 already graded", "good.py: 5/5"]
    assert resumed_book.read_bytes().startswith(before)  # appended under the same header
    book = rows(resumed_book)
    assert [row["file"] for row in book].count("good.py") == 2
    assert (book[-1]["file"], book[-1]["sha256"]) == ("good.py", sha256(changed / "good.py"))
    assert sha256(changed / "good.py") != sha256(directory / "good.py")


def test_resume_drops_a_half_written_last_row_and_grades_it_again(graded, tmp_path):
    base, directory, gradebook, _, _ = graded
    book = tmp_path / "gradebook.csv"
    data = gradebook.read_bytes()
    last_row_start = data.rstrip(b"\r\n").rfind(b"\r\n") + 2
    book.write_bytes(data[: last_row_start + 10])  # a crash in the middle of the last row
    lost = rows(gradebook)[-1]["file"]

    completed = run_batch(directory, book, base / "cache", "--resume")
    assert completed.stdout.splitlines()[:2] == ["resumed: 1 already graded", f"{lost}: {'5/5' if lost == 'good.py' else '0/5'}"]
    assert sorted(row["file"] for row in rows(book)) == ["broken.py", "good.py"]  # well-formed, one row each


def test_resume_of_a_gradebook_with_other_columns_is_one_error_line_and_keeps_it(graded, tmp_path):
    base, directory, _, _, _ = graded
    book = tmp_path / "other.csv"
    book.write_text("file,sha256,score\r\nx.py,00,1\r\n", encoding="utf-8")
    completed = run_batch(directory, book, base / "cache", "--resume")
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: --resume: {book} has the columns file,sha256,score; this batch writes ")
    assert "Traceback" not in completed.stderr
    assert book.read_bytes() == b"file,sha256,score\r\nx.py,00,1\r\n"


def _start_and_wait_for_first_row(tmp_path):
    """A batch of a.py (quick) and b.py (sleeps in linear_function), returned once a.py's row is on disk."""
    directory = tmp_path / "class"
    directory.mkdir()
    (directory / "a.py").write_bytes((SUBMISSIONS / "tf1_solution.py").read_bytes())
    (directory / "b.py").write_text(SLOW, encoding="utf-8")
    gradebook = tmp_path / "gradebook.csv"
    process = subprocess.Popen(
        _command(directory, gradebook, "--timeout", "200"), cwd=ROOT, env=_env(tmp_path / "cache"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace",
    )
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if gradebook.exists() and gradebook.read_bytes().count(b"\r\n") >= 2:
            return process, gradebook
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    pytest.fail(f"a.py's row never reached the gradebook: {process.communicate()}")


def test_ctrl_c_keeps_the_rows_written_and_says_how_many_were_graded(tmp_path):
    process, gradebook = _start_and_wait_for_first_row(tmp_path)
    time.sleep(1.0)  # b.py is being graded
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    print(stdout, stderr, sep="\n")
    assert process.returncode == 2  # not every submission was graded
    assert stderr.strip().splitlines()[-1] == "interrupted: 1 of 2 graded"
    assert "Traceback" not in stderr
    assert [(row["file"], row["score"]) for row in rows(gradebook)] == [("a.py", "5")]


def test_a_killed_batch_loses_no_row_already_written(tmp_path):
    process, gradebook = _start_and_wait_for_first_row(tmp_path)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    assert [(row["file"], row["score"], row["linear_function"]) for row in rows(gradebook)] == [("a.py", "5", "5")]
    assert gradebook.read_bytes().endswith(b"\r\n")  # the row is whole: a resume keeps it


def test_the_exit_code_is_0_when_every_submission_is_graded_with_full_marks(tmp_path):
    directory = tmp_path / "class"
    directory.mkdir()
    (directory / "good.py").write_bytes((SUBMISSIONS / "tf1_solution.py").read_bytes())
    gradebook = tmp_path / "gradebook.csv"
    completed = run_batch(directory, gradebook, tmp_path / "cache")
    assert completed.returncode == 0
    assert [(row["file"], row["score"]) for row in rows(gradebook)] == [("good.py", "5")]
