"""`python -m graders batch` on a hostile folder: every entry accounted for, nothing followed out, nothing hangs.

One batch run (module-scoped) is shared by the assertions: it grades only
linear_function, so the two submissions cost a few seconds of TensorFlow.
"""
import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graders.batch import printable

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = Path(__file__).resolve().parent / "submissions"
NEWLINE_NAME = "a\nb.py"
TIMEOUT = 300  # seconds: grading takes some; a FIFO opened for reading would block for ever

SKIP_LINES = [
    "skipped dangling.py: a symlink whose target does not exist",
    "skipped escape.py: a symlink that leads out of DIR",
    "skipped inside.py: a symlink (to good.py inside DIR; symlinks are not followed)",
    "skipped loop.py: a symlink that loops",
    "skipped notes.txt: not a .py or .ipynb file",
    "skipped out.py: a symlink that leads out of DIR",
    "skipped pipe.py: not a regular file (a FIFO)",
    "skipped x.py: a directory, not a file",
]


def run_batch(directory, gradebook, cache, *extra):
    env = dict(os.environ, PYTHONPATH=str(ROOT), TFSIGNS_CACHE=str(cache))  # this worktree's graders
    env.pop("TFSIGNS_DATA", None)
    command = [sys.executable, "-m", "graders", "batch", str(directory), "--csv", str(gradebook), *extra]
    try:
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, errors="replace", timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"batch did not finish within {TIMEOUT} s (did it open the FIFO?)")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The folder, the gradebook path and the finished batch run."""
    base = tmp_path_factory.mktemp("hostile")
    directory = base / "class"
    directory.mkdir()
    (directory / "good.py").write_bytes((SUBMISSIONS / "tf1_solution.py").read_bytes())
    (directory / NEWLINE_NAME).write_bytes((SUBMISSIONS / "syntax_error.py").read_bytes())
    os.mkfifo(directory / "pipe.py")
    (directory / "x.py").mkdir()
    (directory / "out.py").symlink_to("/etc/passwd")
    outside = base / "outside.py"  # a good submission outside DIR: followed, it would score 5/5
    outside.write_bytes((SUBMISSIONS / "tf1_solution.py").read_bytes())
    (directory / "escape.py").symlink_to(outside)
    (directory / "dangling.py").symlink_to("missing.py")
    (directory / "inside.py").symlink_to("good.py")
    (directory / "loop.py").symlink_to("loop.py")
    (directory / "notes.txt").write_text("not a submission\n")
    gradebook = base / "gradebook.csv"
    completed = run_batch(directory, gradebook, base / "tfsigns-cache", "--only", "linear_function")
    print(completed.stdout, completed.stderr, sep="\n")  # shown when a test fails
    return directory, gradebook, completed


def test_every_entry_that_is_not_a_submission_gets_a_skip_line_in_name_order_before_grading(hostile):
    _, _, completed = hostile
    lines = completed.stdout.splitlines()
    assert lines[: len(SKIP_LINES)] == SKIP_LINES
    assert [line for line in lines if line.startswith("skipped ")] == SKIP_LINES


def test_the_batch_grades_the_regular_submissions_and_ends_with_the_gradebook_and_skip_count(hostile, tmp_path):
    _, gradebook, completed = hostile
    lines = completed.stdout.splitlines()
    assert sorted(lines[len(SKIP_LINES) : -2]) == ["a\\nb.py: 0/5", "good.py: 5/5"]
    assert lines[-2:] == [f"gradebook: {gradebook} (2 submissions)", f"skipped: {len(SKIP_LINES)} entries"]
    assert completed.returncode == 1  # graded, and the syntax error failed its check
    assert "error:" not in completed.stderr


def test_a_name_with_a_newline_is_escaped_on_the_console(hostile):
    _, _, completed = hostile
    assert "a\\nb.py: 0/5" in completed.stdout.splitlines()
    assert "\nb.py" not in completed.stdout  # never split over two lines


def test_the_gradebook_keeps_real_names_one_row_per_regular_submission(hostile):
    _, gradebook, _ = hostile
    with gradebook.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["file"], r["score"], r["max"], r["graded"], r["linear_function"]) for r in rows] == [
        (NEWLINE_NAME, "0", "5", "yes", "0"),
        ("good.py", "5", "5", "yes", "5"),
    ]


def test_symlinks_are_never_followed_out_of_the_folder(hostile):
    _, gradebook, completed = hostile
    text = gradebook.read_text(encoding="utf-8")
    for name in ("out.py", "escape.py", "inside.py"):
        assert name not in text
        assert not any(line.startswith(f"{name}: ") for line in completed.stdout.splitlines())  # no score line
    passwd_lines = Path("/etc/passwd").read_text(encoding="utf-8", errors="replace").splitlines()
    assert passwd_lines and not any(line in completed.stdout + completed.stderr + text for line in passwd_lines if line)


def test_a_folder_with_nothing_gradable_lists_what_it_skipped_then_exits_2(tmp_path):
    directory = tmp_path / "class"
    directory.mkdir()
    os.mkfifo(directory / "pipe.py")
    (directory / "x.py").mkdir()
    completed = run_batch(directory, tmp_path / "g.csv", tmp_path / "cache")
    assert completed.returncode == 2
    assert completed.stdout.splitlines() == [
        "skipped pipe.py: not a regular file (a FIFO)",
        "skipped x.py: a directory, not a file",
        "skipped: 2 entries",
    ]
    assert completed.stderr == f"error: {directory}: no .py or .ipynb files\n"
    assert not (tmp_path / "g.csv").exists()


def test_printable_escapes_control_and_unprintable_characters_and_keeps_the_rest():
    assert printable(NEWLINE_NAME) == "a\\nb.py"
    assert printable("\x1b[2Jx.py") == "\\x1b[2Jx.py"
    assert printable("tab\there.py") == "tab\\there.py"
    assert printable("zero\u200bwidth.py") == "zero\\u200bwidth.py"
    assert printable("bad\udcff.py") == "bad\\udcff.py"  # an undecodable byte of a file name
    assert printable("a\\nb.py") == "a\\\\nb.py"  # a real backslash never reads as an escape
    assert printable("élève 1.ipynb") == "élève 1.ipynb"
