"""`python -m graders gradescope --out autograder.zip [--data-dir DIR]`: build a Gradescope autograder.

Gradescope unpacks the zip in `$AUTOGRADER_ROOT/source` (`/autograder/source`),
runs `setup.sh` there once when it builds the image, then, for each
submission, a copy of `run_autograder` in `$AUTOGRADER_ROOT` with the
student's files in `$AUTOGRADER_ROOT/submission/`. The zip holds:

    setup.sh         apt-installs bubblewrap (and python3-venv) when missing,
                     makes a venv in $AUTOGRADER_ROOT/venv, pip-installs the
                     bundled source into it and fills the answer-key cache
    run_autograder   grades the first .py or .ipynb file in submission/
                     (top level first, then subfolders, in name order;
                     symlinks ignored) and writes results/results.json
    pyproject.toml, README.md, tfsigns/, graders/
                     the project's source (no tests/, bench/ or data files)
    data/train_signs.h5, data/test_signs.h5
                     with --data-dir only: run_autograder grades model() on
                     them (`--data-dir $AUTOGRADER_ROOT/source/data`); without
                     it, on tfsigns' embedded default data

run_autograder always leaves a results.json: with no .py or .ipynb file
the grader itself writes its could-not-grade answer (score 0, the reason in
`output`), and if the grader dies without writing one the script writes a
score-0 answer saying so. Its environment:

    AUTOGRADER_ROOT   default /autograder (setup.sh reads it too)
    PYTHON            the interpreter; default: setup.sh's venv, else python3
    GRADERS_ONLY      F1,F2: grade only these functions (`--only`; tests use it)
    TFSIGNS_CACHE     the answer-key cache; default $AUTOGRADER_ROOT/cache

setup.sh installs the source editable (`pip install -e`): the grader finds
the project from `graders/`'s own folder and keeps that folder out of the
sandboxed child's view, so a copy inside the venv's site-packages would hide
the venv's packages (TensorFlow included) from the child along with it.
"""
import argparse
import os
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT_FILES = ("pyproject.toml", "README.md")
PACKAGES = ("tfsigns", "graders")
SKIPPED_SUFFIXES = (".pyc", ".pyo", ".h5", ".npz")  # bytecode and data files never go into the zip
DATA_FILES = ("train_signs.h5", "test_signs.h5")
EXECUTABLE = 0o755
READABLE = 0o644
DATE = (1980, 1, 1, 0, 0, 0)  # fixed: the same tree gives the same zip

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, in $AUTOGRADER_ROOT/source (the unpacked
# autograder zip) when it builds the autograder image.
set -euo pipefail
AUTOGRADER_ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$AUTOGRADER_ROOT/source"
VENV="$AUTOGRADER_ROOT/venv"
BASE_PYTHON="${PYTHON:-python3}"
export TFSIGNS_CACHE="${TFSIGNS_CACHE:-$AUTOGRADER_ROOT/cache}"

# bubblewrap isolates each submission; python3-venv makes the venv below.
packages=()
command -v bwrap >/dev/null 2>&1 || packages+=(bubblewrap)
if ! command -v "$BASE_PYTHON" >/dev/null 2>&1; then
    packages+=(python3 python3-venv)
elif ! "$BASE_PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1; then
    packages+=(python3-venv)
fi
if [ "${#packages[@]}" -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends "${packages[@]}"
fi
"$BASE_PYTHON" -c "import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] < (3, 13) else 'tfsigns needs Python 3.10 to 3.12, found ' + sys.version.split()[0])"

# tfsigns (with TensorFlow) and the grader, installed from the bundled source.
# Editable on purpose: the grader hides its own project folder from the
# sandboxed child, which must not be the venv's site-packages.
"$BASE_PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --upgrade pip
"$VENV/bin/python" -m pip install -e "$SOURCE"

# Compute the answer keys of both editions now, once, instead of in every run.
"$VENV/bin/python" -c "import sys; from graders.gradescope import warm_cache; warm_cache(sys.argv[1] or None)" "@DATA_DIR@"
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this (copied to $AUTOGRADER_ROOT) for each submission: it
# grades the first .py or .ipynb file in $AUTOGRADER_ROOT/submission/ (top
# level first, then subfolders, in name order; symlinks ignored) and writes
# $AUTOGRADER_ROOT/results/results.json, also when nothing could be graded.
# Environment: AUTOGRADER_ROOT (default /autograder); PYTHON (default: the
# venv setup.sh made, else python3); GRADERS_ONLY=F1,F2 grades only those
# functions (python -m graders --only); TFSIGNS_CACHE (default
# $AUTOGRADER_ROOT/cache, where setup.sh put the answer keys).
set -uo pipefail
AUTOGRADER_ROOT="${AUTOGRADER_ROOT:-/autograder}"
if [ -z "${PYTHON:-}" ] && [ -x "$AUTOGRADER_ROOT/venv/bin/python3" ]; then
    PYTHON="$AUTOGRADER_ROOT/venv/bin/python3"
fi
PYTHON="${PYTHON:-python3}"
export TFSIGNS_CACHE="${TFSIGNS_CACHE:-$AUTOGRADER_ROOT/cache}"
submissions="$AUTOGRADER_ROOT/submission"
results="$AUTOGRADER_ROOT/results/results.json"
mkdir -p "$AUTOGRADER_ROOT/results"
rm -f "$results"

shopt -s nullglob globstar
file=""
other=""
for candidate in "$submissions"/* "$submissions"/**/*; do
    if [ ! -f "$candidate" ] || [ -L "$candidate" ]; then continue; fi
    case "${candidate,,}" in
        *.py | *.ipynb) file="$candidate"; break ;;
        *) other="${other:-$candidate}" ;;
    esac
done
shopt -u nullglob globstar
if [ -z "$file" ]; then
    # Nothing to grade: the grader says why in its results.json ("expected a
    # .py file or an .ipynb notebook" for another file, else "no such file").
    file="${other:-$submissions/(no .py or .ipynb file)}"
fi

args=("$file" --json "$results")
@DATA_ARGS@
if [ -n "${GRADERS_ONLY:-}" ]; then args+=(--only "$GRADERS_ONLY"); fi
cd "$AUTOGRADER_ROOT" || exit 1
"$PYTHON" -m graders "${args[@]}"
status=$?
if [ ! -s "$results" ]; then
    printf '%s\n' '{"score": 0.0, "output": "The autograder failed before it could write results; nothing was graded. Please tell your instructor.", "visibility": "visible", "stdout_visibility": "hidden", "tests": []}' > "$results"
    echo "run_autograder: python -m graders exited with status $status without writing $results; wrote a score-0 answer" >&2
    exit "$status"
fi
exit 0
"""


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m graders gradescope",
        description="Build a Gradescope autograder zip: setup.sh, run_autograder and the project's source "
        "(AUTOGRADER_ROOT, default /autograder; GRADERS_ONLY=F1,F2 limits a run to those functions).",
    )
    parser.add_argument("--out", required=True, metavar="FILE", help="the zip to write (e.g. autograder.zip)")
    parser.add_argument("--data-dir", metavar="DIR", help="bundle DIR's train_signs.h5 and test_signs.h5 and grade model() on them (default: tfsigns' embedded default data)")
    return parser


def main(argv=None):
    from graders import cli

    args = build_parser().parse_args(argv)
    problem = cli.check_output_file(args.out, "--out")
    if problem:
        return _error(problem)
    try:
        data = data_files(args.data_dir) if args.data_dir else []
        files = source_files()
    except ValueError as error:
        return _error(str(error))
    try:
        names = build(args.out, files, data)
    except OSError as error:
        return _error(f"--out: cannot write {args.out} ({error.strerror or error})")
    if data:
        what = f"{len(files)} source files, {data[0][0]} and {data[1][0]} ({len(names)} files); model() is graded on that data"
    else:
        what = f"{len(files)} source files ({len(names)} files); model() is graded on tfsigns' embedded default data"
    print(f"wrote {args.out}: setup.sh, run_autograder, {what}")
    return 0


def source_files(root=ROOT):
    """[(name in the zip, path)] of the project's source: pyproject.toml, README.md, tfsigns/, graders/.

    Raises:
        ValueError: `root` is not the project's source tree (a graders installed without it).
    """
    root = Path(root)
    missing = [name for name in PROJECT_FILES + PACKAGES if not (root / name).exists()]
    if missing:
        raise ValueError(f"{root} is not tfsigns' source tree (no {', '.join(missing)}): build the autograder from a clone of the project")
    files = [(name, root / name) for name in PROJECT_FILES]
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*")):
            relative = path.relative_to(root)
            if path.is_symlink() or not path.is_file() or path.suffix in SKIPPED_SUFFIXES:
                continue
            if any(part == "__pycache__" or part.startswith(".") for part in relative.parts):
                continue
            files.append((relative.as_posix(), path))
    return files


def data_files(directory):
    """[(name in the zip, path)] of DIR's two SIGNS files, each checked against the course's schema.

    Raises:
        ValueError: one line naming the folder or file and what is wrong.
    """
    from tfsigns import data
    from tfsigns.errors import DataError

    try:
        source = data.resolve_data_dir(directory)
        for path, which in ((source.train_path, "train"), (source.test_path, "test")):
            data.validate(path, which)
    except DataError as error:
        raise ValueError(f"--data-dir: {error}") from None
    return [(f"data/{DATA_FILES[0]}", Path(source.train_path)), (f"data/{DATA_FILES[1]}", Path(source.test_path))]


def scripts(with_data):
    """{"setup.sh": text, "run_autograder": text}; `with_data`: the zip bundles data/ and model() is graded on it."""
    data_dir = '"$AUTOGRADER_ROOT/source/data"'
    run = RUN_AUTOGRADER.replace("@DATA_ARGS@", f"args+=(--data-dir {data_dir})" if with_data else "# (no --data-dir: model() is graded on tfsigns' embedded default data)")
    setup = SETUP_SH.replace('"@DATA_DIR@"', data_dir if with_data else '""')
    return {"setup.sh": setup, "run_autograder": run}


def build(out, files, data=()):
    """Write the autograder zip at `out` atomically; the names it holds, in order.

    Args:
        out: the zip's path.
        files: `source_files()`.
        data: `data_files(DIR)`, or empty.

    Raises:
        OSError: `out` cannot be written.
    """
    out = Path(out)
    directory = out.parent if str(out.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".zip", dir=directory)
    names = []
    try:
        with os.fdopen(handle, "wb") as stream, zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in scripts(bool(data)).items():
                _add(archive, name, text.encode("utf-8"), EXECUTABLE)
                names.append(name)
            for name, path in list(files) + list(data):
                _add(archive, name, path.read_bytes(), READABLE)
                names.append(name)
        os.chmod(temporary, 0o644)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return names


def _add(archive, name, content, mode):
    info = zipfile.ZipInfo(name, date_time=DATE)
    info.external_attr = (0o100000 | mode) << 16  # a regular file with these permission bits (unzip restores them)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix: the permission bits are meaningful
    archive.writestr(info, content)


def warm_cache(data_dir=None):
    """Compute (or load and verify) both editions' answer keys into tfsigns' cache; setup.sh runs it once.

    Raises:
        SystemExit: the data cannot be found or read (one line).
    """
    from graders.grading import GradingError, Options, prepare, wanted_editions

    options = Options(data_dir=data_dir)
    try:
        prepared = prepare(options)
        try:
            prepared.wait(wanted_editions(options))
        finally:
            prepared.join()
    except GradingError as error:
        raise SystemExit(f"error: {error}") from None
    print(f"answer keys of editions {', '.join(wanted_editions(options))} are in the cache")


def _error(message):
    sys.stdout.flush()
    print(f"error: {message}", file=sys.stderr)
    return 2
