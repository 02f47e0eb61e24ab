"""The platforms' writers of the one results object: Coursera's custom-grader JSON and Gradescope's autograder.

Real grades run only linear_function (`--only`, or GRADERS_ONLY for
run_autograder): each costs one child process importing TensorFlow.
"""
import json
import os
import shutil
import subprocess
import sys
import zipfile
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


# ---------------------------------------------------------------------------
# python -m graders gradescope --out autograder.zip


SCRIPTS = ("setup.sh", "run_autograder")


def build_zip(out, *extra):
    return run_graders("gradescope", "--out", out, *extra)


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    """The zip built without --data-dir, and the build's run."""
    out = tmp_path_factory.mktemp("gradescope") / "autograder.zip"
    done = build_zip(out)
    assert done.returncode == 0, done.stderr
    return out, done


def unpack(archive_path, root):
    """What Gradescope does: the zip unpacked in <root>/source, run_autograder copied to <root>, an empty submission/."""
    source = root / "source"
    source.mkdir(parents=True)
    if shutil.which("unzip"):
        subprocess.run(["unzip", "-q", str(archive_path), "-d", str(source)], check=True)
    else:  # zipfile does not restore permission bits: apply the zip's own
        with zipfile.ZipFile(archive_path) as archive:
            for info in archive.infolist():
                archive.extract(info, source)
                (source / info.filename).chmod(info.external_attr >> 16 & 0o777)
    shutil.copy2(source / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    return source


def bundled_env(root, **extra):
    """run_autograder's environment: the venv's python, and only the bundled source on PYTHONPATH."""
    env = {name: value for name, value in os.environ.items() if name != "GRADERS_ONLY"}
    env.update(AUTOGRADER_ROOT=str(root), PYTHON=sys.executable, PYTHONPATH=str(root / "source"), **extra)
    return env


def run_autograder(root, **extra):
    return subprocess.run([str(root / "run_autograder")], cwd=root.parent, env=bundled_env(root, **extra), capture_output=True, text=True, timeout=TIMEOUT)


def test_zip_holds_the_scripts_executable_and_the_source_only(autograder):
    out, done = autograder
    with zipfile.ZipFile(out) as archive:
        infos = {info.filename: info for info in archive.infolist()}
    names = list(infos)
    assert names[:4] == ["setup.sh", "run_autograder", "pyproject.toml", "README.md"]
    for name in SCRIPTS:
        assert infos[name].external_attr >> 16 & 0o777 == 0o755
    assert all(infos[name].external_attr >> 16 & 0o777 == 0o644 for name in names[2:])
    source = {
        path.relative_to(ROOT).as_posix()
        for package in ("tfsigns", "graders")
        for path in (ROOT / package).rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert set(names[4:]) == source  # every module of both packages, nothing else
    assert not [name for name in names if name.startswith(("tests/", "bench/", "data/")) or name.endswith((".h5", ".npz", ".pyc"))]
    assert done.stdout == (
        f"wrote {out}: setup.sh, run_autograder, {len(names) - 2} source files ({len(names)} files); "
        "model() is graded on tfsigns' embedded default data\n"
    )


def test_scripts_parse_and_setup_installs_bubblewrap_and_tfsigns(autograder, tmp_path):
    source = unpack(autograder[0], tmp_path / "autograder")
    for name in SCRIPTS:
        assert os.access(source / name, os.X_OK), name
        done = subprocess.run(["bash", "-n", str(source / name)], capture_output=True, text=True)
        assert done.returncode == 0, (name, done.stderr)
        assert 'AUTOGRADER_ROOT="${AUTOGRADER_ROOT:-/autograder}"' in (source / name).read_text()
    setup = (source / "setup.sh").read_text()
    assert "apt-get install -y --no-install-recommends" in setup
    assert "packages+=(bubblewrap)" in setup and "python3-venv" in setup
    assert 'SOURCE="$AUTOGRADER_ROOT/source"' in setup and 'pip install -e "$SOURCE"' in setup
    run = (source / "run_autograder").read_text()
    assert 'PYTHON="${PYTHON:-python3}"' in run
    assert '"$PYTHON" -m graders "${args[@]}"' in run and 'args=("$file" --json "$results")' in run
    assert "args+=(--data-dir" not in run and 'warm_cache(sys.argv[1] or None)" ""' in setup  # no data bundled, none passed


def test_run_autograder_grades_the_submission_with_the_bundled_code(autograder, tmp_path):
    root = tmp_path / "autograder"
    unpack(autograder[0], root)
    shutil.copy(SOLUTION, root / "submission" / SOLUTION.name)
    where = subprocess.run(
        [sys.executable, "-c", "import graders, tfsigns; print(graders.__file__); print(tfsigns.__file__)"],
        cwd=root, env=bundled_env(root), capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert where.stdout.splitlines() == [str(root / "source" / "graders" / "__init__.py"), str(root / "source" / "tfsigns" / "__init__.py")]
    done = run_autograder(root, GRADERS_ONLY="linear_function")
    assert done.returncode == 0, done.stderr
    assert "PASS  linear_function: Y = WX + b" in done.stdout
    results = read_json(root / "results" / "results.json")
    assert results["score"] == 5.0
    assert [(test["name"], test["status"], test["score"], test["max_score"]) for test in results["tests"]] == [
        ("linear_function: Y = WX + b", "passed", 5.0, 5.0)
    ]


def test_run_autograder_without_a_submission_writes_results_saying_so(autograder, tmp_path):
    root = tmp_path / "autograder"
    unpack(autograder[0], root)
    done = run_autograder(root)
    assert done.returncode == 0, done.stderr
    results = read_json(root / "results" / "results.json")
    assert results["score"] == 0.0 and results["tests"] == []
    assert results["output"] == f"could not grade: {root / 'submission' / '(no .py or .ipynb file)'}: no such file"
    (root / "submission" / "answers.txt").write_text("print('hi')\n")  # not a .py or .ipynb file: named
    run_autograder(root)
    assert read_json(root / "results" / "results.json")["output"] == (
        f"could not grade: {root / 'submission' / 'answers.txt'}: expected a .py file or an .ipynb notebook"
    )


def test_run_autograder_failing_checks_are_failed_with_score_0(autograder, tmp_path):
    root = tmp_path / "autograder"
    unpack(autograder[0], root)
    nested = root / "submission" / "work"
    nested.mkdir()
    shutil.copy(SUBMISSIONS / "syntax_error.py", nested / "syntax_error.py")  # found in a subfolder
    (root / "submission" / "a.py").symlink_to(SOLUTION)  # a symlink is never graded
    done = run_autograder(root, GRADERS_ONLY="linear_function,sigmoid")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Grading syntax_error.py")
    results = read_json(root / "results" / "results.json")
    assert results["score"] == 0.0
    assert [(test["status"], test["score"]) for test in results["tests"]] == [("failed", 0.0)] * 3
    assert all("SyntaxError" in test["output"] for test in results["tests"])


def test_run_autograder_writes_results_when_the_grader_dies(autograder, tmp_path):
    root = tmp_path / "autograder"
    unpack(autograder[0], root)
    (root / "results").mkdir()
    (root / "results" / "results.json").write_text('{"score": 100.0}')  # a stale answer is never left behind
    shutil.copy(SOLUTION, root / "submission" / SOLUTION.name)
    done = run_autograder(root, GRADERS_ONLY="nothing_graded")  # the grader refuses its arguments, writes nothing
    assert done.returncode == 2
    results = read_json(root / "results" / "results.json")
    assert results["score"] == 0.0 and results["tests"] == []
    assert "autograder failed" in results["output"]
    assert "wrote a score-0 answer" in done.stderr.splitlines()[-1]


def test_data_dir_is_bundled_and_passed(tmp_path):
    from tfsigns.data import embedded_default_dir

    out = tmp_path / "autograder.zip"
    done = build_zip(out, "--data-dir", embedded_default_dir())
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(out) as archive:
        count = len(archive.namelist())  # scripts, pyproject, README, every module, the two data files
        assert f"data/train_signs.h5 and data/test_signs.h5 ({count} files); model() is graded on that data" in done.stdout
        assert archive.namelist()[-2:] == ["data/train_signs.h5", "data/test_signs.h5"]
        assert archive.read("data/test_signs.h5") == (embedded_default_dir() / "test_signs.h5").read_bytes()
        run = archive.read("run_autograder").decode()
        setup = archive.read("setup.sh").decode()
    assert 'args+=(--data-dir "$AUTOGRADER_ROOT/source/data")' in run
    assert 'warm_cache(sys.argv[1] or None)" "$AUTOGRADER_ROOT/source/data"' in setup
    source = unpack(out, tmp_path / "autograder")
    for name in SCRIPTS:
        assert subprocess.run(["bash", "-n", str(source / name)]).returncode == 0


@pytest.mark.parametrize("make, expected", [
    (lambda tmp: ["--out", tmp / "missing" / "a.zip"], "error: --out: folder {tmp}/missing does not exist (received '{tmp}/missing/a.zip')"),
    (lambda tmp: ["--out", tmp], "error: --out: {tmp} is a directory, expected a file name"),
    (lambda tmp: ["--out", tmp / "a.zip", "--data-dir", tmp / "nodata"], "error: --data-dir: {tmp}/nodata: data directory not found (given by --data-dir)"),
])
def test_bad_arguments_are_one_error_line(tmp_path, make, expected):
    done = run_graders("gradescope", *make(tmp_path))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [expected.format(tmp=tmp_path)]
    assert not (tmp_path / "a.zip").exists()


def test_invalid_data_files_are_refused(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "train_signs.h5").write_bytes(b"")
    (data / "test_signs.h5").write_bytes(b"not hdf5")
    done = run_graders("gradescope", "--out", tmp_path / "a.zip", "--data-dir", data)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"error: --data-dir: {data / 'train_signs.h5'}: is empty (0 bytes), expected an HDF5 file"]
    assert not (tmp_path / "a.zip").exists()


def test_source_files_need_the_project_tree(tmp_path):
    from graders.gradescope import source_files

    (tmp_path / "graders").mkdir()
    with pytest.raises(ValueError, match="is not tfsigns' source tree \\(no pyproject.toml, README.md, tfsigns\\)"):
        source_files(tmp_path)
