"""Golden tests of the grader: each fixture submission beside its expected report.

Every fixture under tests/submissions/ is graded once per session (two at a
time: each grading is a child process, and the grader's own process only
waits), through the same argument parsing as `python -m graders`. The text
report, normalised for paths, must match `<case>.expected.txt` line for
line, a training run's digits (`~NUMBER` there) at the grader's tolerance
(`tests/golden.py`); the
Gradescope JSON must validate; the exit code must say what happened.

model() is graded on a small data set of the tests' own (330 train, 60 test
images, `write_small_data`) so a 101-epoch run takes seconds; the reference
is graded on the default data as `python -m graders` would.

To rewrite the golden files after an intended change:
    UPDATE_GOLDEN=1 python -m pytest tests/test_graders_golden.py
then review the diff.
"""
import csv
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import h5py
import numpy as np
import pytest

import golden as golden_reports
from graders import cli, grading
from graders.assignments.tf1_tutorial.checks import CHECKS
from graders.results import Results

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = Path(__file__).parent / "submissions"
DATA = "{small_data}"
NON_MODEL = "linear_function,sigmoid,cost,one_hot_matrix,ones,create_placeholders,initialize_parameters,forward_propagation,compute_cost"

# case: (submission file or None for the bundled reference, arguments, exit code)
CASES = {
    "reference": (None, [], 0),
    "tf1_solution": ("tf1_solution.py", ["--data-dir", DATA], 0),
    "tf1_solution_notebook": ("tf1_solution.ipynb", ["--data-dir", DATA], 0),
    "compat_v1_solution": ("compat_v1_solution.py", ["--data-dir", DATA], 0),
    "v3b_solution_graded_as_v3": ("v3b_solution.py", ["--data-dir", DATA, "--only", "cost,model", "--edition", "v3"], 1),
    "v3b_solution_graded_as_v3b": ("v3b_solution.py", ["--data-dir", DATA, "--edition", "v3b"], 0),
    "v3b_solution_auto": ("v3b_solution.py", ["--data-dir", DATA], 0),
    "mistake_draw_order": ("mistake_draw_order.py", ["--only", "linear_function"], 1),
    "mistake_one_hot_axis": ("mistake_one_hot_axis.py", ["--only", "one_hot_matrix"], 1),
    "mistake_xavier_seed": ("mistake_xavier_seed.py", ["--only", "initialize_parameters"], 1),
    "mistake_missing_relu": ("mistake_missing_relu.py", ["--only", "forward_propagation"], 1),
    "mistake_missing_transpose": ("mistake_missing_transpose.py", ["--only", "compute_cost"], 1),
    "model_forgets_sess_run": ("model_forgets_sess_run.py", ["--data-dir", DATA, "--only", "model"], 1),
    "model_returns_garbage": ("model_returns_garbage.py", ["--data-dir", DATA, "--only", "model"], 1),
    "model_raises": ("model_raises.py", ["--data-dir", DATA, "--only", "model"], 1),
    "delegates_to_tfsigns": ("delegates_to_tfsigns.py", ["--data-dir", DATA, "--only", "sigmoid,one_hot_matrix,model"], 1),
    "hostile": ("hostile.py", ["--data-dir", DATA, "--timeout", "5", "--memory-mb", "512"], 1),
    "hostile_cache": ("hostile_cache.py", ["--data-dir", DATA, "--only", "linear_function,ones,model"], 1),
    "syntax_error": ("syntax_error.py", [], 1),
    "notebook_failing_cells": ("notebook_failing_cells.ipynb", ["--only", NON_MODEL], 1),
}

# Learners' variants of the assignment (tests/submissions/learners/): graded whole, with
# the default --edition auto. ok_*: correct however written, 100/100; wrong_*: a real mistake.
LEARNERS = sorted(path.name for path in (SUBMISSIONS / "learners").iterdir() if path.suffix in (".py", ".ipynb"))
for _name in LEARNERS:
    CASES["learners/" + _name.rsplit(".", 1)[0]] = ("learners/" + _name, ["--data-dir", DATA], 0 if _name.startswith("ok_") else 1)


def write_small_data(directory, n_train=330, n_test=60, seed=7):
    """A small SIGNS-shaped data set the grader's tests own: train_signs.h5 and test_signs.h5.

    Class c is a brighter 16x16 square in one of six places (2 rows x 3
    columns, jittered) on uniform noise: the reference network learns it in
    101 epochs (train accuracy 1.0, test about 0.6, cost 1.97 -> 0.35), so a
    garbage model is told apart. The grader's tests do not depend on the
    embedded default's generator, which may change.

    330 = 10 full minibatches and one of 10: int(m / 32) = 10 differs from
    the 11 minibatches and from v3b's 32, so each epoch-cost convention is
    told apart.
    """
    rng = np.random.RandomState(seed)
    directory.mkdir(parents=True, exist_ok=True)
    for split, m in (("train", n_train), ("test", n_test)):
        labels = rng.randint(0, 6, size=m)
        images = rng.randint(0, 160, size=(m, 64, 64, 3))
        for image, label in zip(images, labels):
            row, column = divmod(int(label), 3)
            top, left = 8 + 28 * row + rng.randint(-4, 5), 4 + 20 * column + rng.randint(-3, 4)
            image[top:top + 16, left:left + 16] += 30
        with h5py.File(directory / f"{split}_signs.h5", "w") as h5:
            h5[f"{split}_set_x"] = images.astype(np.uint8)
            h5[f"{split}_set_y"] = labels.astype(np.int64)
            h5["list_classes"] = np.arange(6, dtype=np.int64)
    return directory


@pytest.fixture(scope="session")
def small_data(tmp_path_factory):
    return write_small_data(tmp_path_factory.mktemp("small-signs"))


@pytest.fixture(scope="session")
def graded(small_data, tmp_path_factory):
    """{case: (results, normalised report)} for every case, graded once, two at a time."""
    cache = tmp_path_factory.getbasetemp() / "tfsigns-cache"  # the folder conftest gives TFSIGNS_CACHE

    def run(case):
        submission, arguments, _ = CASES[case]
        argv = ([str(SUBMISSIONS / submission)] if submission else []) + [a.replace(DATA, str(small_data)) for a in arguments]
        args = cli.build_parser().parse_args(argv)
        results = grading.grade(args.submission, cli.options_from(args))
        return results, normalise(results.summary(), {str(small_data): "<DATA>", str(cache): "<CACHE>"})

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TFSIGNS_CACHE", str(cache))
        patch.delenv("TFSIGNS_DATA", raising=False)
        patch.chdir(tmp_path_factory.mktemp("cwd"))  # no ./data or ./datasets: the reference uses the embedded default
        # Reference values first, once, so the graders running side by side only read the cache.
        for options in (grading.Options(data_dir=str(small_data)), grading.Options()):
            grading.prepare(options).wait(("v3", "v3b"))
        # Slowest first, so the two workers finish together.
        order = sorted(CASES, key=lambda case: case not in ("hostile", "reference", "tf1_solution_notebook"))
        with ThreadPoolExecutor(max_workers=2) as pool:
            return dict(zip(order, pool.map(run, order)))


def normalise(text, replacements):
    for old, new in replacements.items():
        text = text.replace(old, new)
    return re.sub(r"embedded-v\d+", "embedded-v<N>", text)


@pytest.mark.parametrize("case", sorted(CASES))
def test_report_matches_golden_file(graded, case):
    _, report = graded[case]
    golden = SUBMISSIONS / f"{case}.expected.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        previous = golden.read_text(encoding="utf-8") if golden.exists() else ""
        golden.write_text(golden_reports.mark(report, previous), encoding="utf-8")
    assert golden_reports.differences(report, golden.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("case", sorted(CASES))
def test_exit_code_says_what_happened(graded, case):
    results, _ = graded[case]
    assert results.exit_code() == CASES[case][2], results.summary()


@pytest.mark.parametrize("case", sorted(CASES))
def test_gradescope_json_validates(graded, case):
    results, _ = graded[case]
    document = json.loads(json.dumps(results.to_gradescope_dict()))
    assert validate_gradescope(document) == []
    names = [check.function for check in results.checks]
    assert [test["name"].split(":")[0] for test in document["tests"]] == names
    assert document["score"] == pytest.approx(sum(test["score"] for test in document["tests"]))


def validate_gradescope(document):
    """Problems with a Gradescope results.json document (an empty list when it is valid).

    The fields Gradescope reads: a numeric `score`, and `tests`, each with a
    string `name`, numeric `score` and `max_score` (0 <= score <= max_score),
    string `output`, and `visibility` one of visible / hidden / after_due_date /
    after_published.
    """
    problems = []
    visibilities = ("visible", "hidden", "after_due_date", "after_published")
    if not isinstance(document, dict):
        return ["not an object"]
    if not isinstance(document.get("score"), (int, float)) or isinstance(document.get("score"), bool):
        problems.append("score: not a number")
    if "output" in document and not isinstance(document["output"], str):
        problems.append("output: not a string")
    if document.get("visibility", "visible") not in visibilities:
        problems.append("visibility: unknown value")
    tests = document.get("tests")
    if not isinstance(tests, list):
        return problems + ["tests: not a list"]
    for index, test in enumerate(tests):
        where = f"tests[{index}]"
        if not isinstance(test, dict):
            problems.append(f"{where}: not an object")
            continue
        for key, kind in (("name", str), ("output", str), ("visibility", str)):
            if not isinstance(test.get(key), kind):
                problems.append(f"{where}.{key}: missing or not a {kind.__name__}")
        for key in ("score", "max_score"):
            if not isinstance(test.get(key), (int, float)) or isinstance(test.get(key), bool):
                problems.append(f"{where}.{key}: missing or not a number")
        if not problems and not 0 <= test["score"] <= test["max_score"]:
            problems.append(f"{where}: score outside 0..max_score")
        if test.get("visibility") not in visibilities:
            problems.append(f"{where}.visibility: unknown value")
        if "status" in test and test["status"] not in ("passed", "failed"):
            problems.append(f"{where}.status: unknown value")
    return problems


def test_validator_rejects_a_broken_document():
    assert validate_gradescope({"score": "10", "tests": [{"name": 3, "score": 5, "max_score": 2, "visibility": "public"}]})
    assert validate_gradescope({"tests": {}}) == ["score: not a number", "tests: not a list"]


def test_every_correct_learner_variant_gets_full_marks(graded):
    scores = {name: graded["learners/" + name.rsplit(".", 1)[0]][0] for name in LEARNERS}
    assert len(scores) >= 15
    for name, results in scores.items():
        if name.startswith("ok_"):
            assert (results.score, results.max_score) == (100, 100), results.summary()
        else:
            assert 0 < results.score < 100 and results.graded, results.summary()


def test_auto_edition_grades_each_learner_as_its_own_edition(graded):
    v3b = {name for name in LEARNERS if graded["learners/" + name.rsplit(".", 1)[0]][0].edition == "v3b"}
    assert v3b == {"ok_v3b_notebook.ipynb", "ok_v3b_sum_then_divide.py"}
    results, _ = graded["v3b_solution_auto"]
    assert (results.edition, results.score) == ("v3b", 100)
    assert results.edition_reason == "auto: model() at line 141 divides epoch_cost by minibatch_size, v3b's convention"


def test_hostile_submission_does_not_touch_the_other_checks(graded):
    results, _ = graded["hostile"]
    passed = [check.name for check in results.checks if check.passed]
    assert passed == [
        "linear_function: Y = WX + b",
        "forward_propagation: Z3 of the grader's input",
        "compute_cost: cost of the grader's Z3 and Y",
    ]
    assert results.score == 25


def test_tf1_notebook_and_file_earn_the_same(graded):
    notebook, _ = graded["tf1_solution_notebook"]
    script, _ = graded["tf1_solution"]
    assert notebook.score == script.score == notebook.max_score == 100


def test_a_grading_records_the_time_of_each_phase(graded):
    """`Results.timings` (bench/grading.py's phase table): every phase, in order, adding up to the whole."""
    results, _ = graded["tf1_solution"]
    timings = results.timings
    functions = list(dict.fromkeys(check.function for check in CHECKS))
    assert list(timings) == ["read", "data", "answer key", "start", "tensorflow", "load", *functions, "close", "compare", "total"]
    assert all(seconds >= 0 for seconds in timings.values())
    assert timings["tensorflow"] <= timings["start"]
    assert timings["model"] > timings["linear_function"]  # 101 epochs against one session.run
    # The phases ("tensorflow" lies inside "start") cover the run, bar the edition choice and bookkeeping.
    covered = sum(seconds for name, seconds in timings.items() if name not in ("tensorflow", "total"))
    np.testing.assert_allclose(covered, timings["total"], rtol=0.05)


def test_timings_env_appends_one_json_line_per_grading(tmp_path, monkeypatch):
    path = tmp_path / "timings.jsonl"
    monkeypatch.setenv(grading.TIMINGS_ENV, str(path))
    for name in ("a.py", "b.py"):
        grading._record_timings(Results(name, timings={"start": 1.5, "model": 2.25}))
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert lines == [{"submission": name, "timings": {"start": 1.5, "model": 2.25}} for name in ("a.py", "b.py")]


def test_a_childs_reported_timings_are_clamped_to_what_the_parent_measured():
    """The child's word comes after submitted code ran: bounded, never trusted beyond the parent's clock."""
    from graders.sandbox import _load_timings

    assert _load_timings({"tensorflow": 1.5, "load": 1.0}, 4.0) == {"start": 3.0, "tensorflow": 1.5, "load": 1.0}
    assert _load_timings({"tensorflow": float("nan"), "load": 10**400}, 3.0) == {"start": 0.0, "tensorflow": 0.0, "load": 3.0}
    assert _load_timings({"tensorflow": True, "load": -2}, 3.0) == {"start": 3.0, "tensorflow": 0.0, "load": 0.0}
    assert _load_timings("not a dict", 2.0) == {"start": 2.0, "tensorflow": 0.0, "load": 0.0}


def test_python_m_graders_runs_as_a_program(tmp_path):
    out = tmp_path / "results.json"
    completed = subprocess.run(
        [sys.executable, "-m", "graders", str(SUBMISSIONS / "syntax_error.py"), "--json", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert completed.returncode == 1
    assert completed.stderr == ""
    assert "the submission did not load: line 11: SyntaxError: '(' was never closed" in completed.stdout
    document = json.loads(out.read_text())
    assert validate_gradescope(document) == [] and document["score"] == 0


def test_batch_grades_each_file_on_its_own_and_writes_a_gradebook(tmp_path, capsys):
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("tf1_solution.py", "syntax_error.py", "mistake_one_hot_axis.py"):
        (folder / name).write_bytes((SUBMISSIONS / name).read_bytes())
    (folder / "crash.py").write_text(
        "import os\nimport tensorflow as tf\n\n"
        "def one_hot_matrix(labels, C):\n    os._exit(1)\n\n"
        "def ones(shape):\n    with tf.Session() as sess:\n        return sess.run(tf.ones(shape))\n"
    )
    (folder / "notes.txt").write_text("not a submission")
    gradebook, reports = tmp_path / "gradebook.csv", tmp_path / "reports"
    reports.mkdir()
    code = cli.main(["batch", str(folder), "--csv", str(gradebook), "--jobs", "2", "--only", "one_hot_matrix,ones", "--reports", str(reports)])
    assert code == 1
    rows = sorted(csv.DictReader(gradebook.open()), key=lambda r: r["file"])  # rows land as submissions finish
    assert [(r["file"], r["score"], r["max"], r["graded"], r["one_hot_matrix"], r["ones"]) for r in rows] == [
        ("crash.py", "5", "10", "yes", "0", "5"),
        ("mistake_one_hot_axis.py", "0", "10", "yes", "0", "0"),
        ("syntax_error.py", "0", "10", "yes", "0", "0"),
        ("tf1_solution.py", "10", "10", "yes", "5", "5"),
    ]
    assert {r["edition"] for r in rows} == {"v3"}  # --edition auto: nothing there is v3b
    assert "gradebook: " in capsys.readouterr().out
    assert "the process running it exited with code 1" in (reports / "crash.py.txt").read_text()
    assert validate_gradescope(json.loads((reports / "crash.py.json").read_text())) == []


def test_batch_needs_a_folder_of_submissions(tmp_path, capsys):
    assert cli.main(["batch", str(tmp_path), "--csv", str(tmp_path / "g.csv")]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path}: no .py or .ipynb files\n"
