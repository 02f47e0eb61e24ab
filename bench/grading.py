"""Wall time of grading, today's grader beside a base commit's, measured in one run (this machine is noisy).

    python bench/grading.py --data-dir DIR [--base 799417b] [--repeat 3] [--jobs 2]

DIR holds train_signs.h5 and test_signs.h5 (e.g. links to the near-copy and
the official test file). The base commit is checked out into a temporary git
worktree (removed at the end). Each grader gets its own answer-key cache,
warmed by a first, untimed grading of one submission and of the batch
(both editions' keys). Then, `--repeat` times, alternating the
two graders so that drift in the machine's load hits both alike, it times:

  1. one submission: `python -m graders tests/submissions/tf1_solution.py`;
  2. a batch: `python -m graders batch` of four submissions with `--jobs N`,
     as seconds and submissions per minute;

and prints the medians, today's over the base's, and whether the two gave
the same report (every line but the `Sandbox:` header, which the base commit
did not print) and the same gradebook scores.

Phases inside a grading (child start with its TensorFlow import, the
submission's load, each graded function, model(), the child's exit, the
comparison) come from today's grader itself: `GRADERS_TIMINGS=FILE` makes it
append one JSON line of phase seconds per graded submission
(`graders.grading.Phases`). The base commit records nothing of the kind: for
it only the wall time and submissions per minute are measured, from outside.
"""
import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ONE = "tests/submissions/tf1_solution.py"
CLASS = ("tf1_solution.py", "tf1_solution.ipynb", "v3b_solution.py", "compat_v1_solution.py")  # all four run model()
# The phases a grading records, in the order they happen (functions in CHECKS order).
PHASE_ORDER = ("read", "data", "answer key", "start", "tensorflow", "load")
AFTER_FUNCTIONS = ("close", "compare", "total")
PHASE_LABELS = {
    "read": "read the submission",
    "data": "load the data set",
    "answer key": "answer key (cached, verified)",
    "start": "start: child + TensorFlow import",
    "tensorflow": "  of which TensorFlow import",
    "load": "load: the submission's top level",
    "close": "child exit",
    "compare": "compare with the answer key",
    "total": "total inside grade()",
}


def run(checkout, cache, arguments, timings=None):
    """(seconds, stdout) of `python -m graders ARGUMENTS` with `checkout` first on the path."""
    env = dict(os.environ, PYTHONPATH=str(checkout), TFSIGNS_CACHE=str(cache))
    env.pop("GRADERS_TIMINGS", None)
    if timings is not None:
        env["GRADERS_TIMINGS"] = str(timings)
    start = time.monotonic()
    completed = subprocess.run([sys.executable, "-m", "graders", *arguments], cwd=checkout, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - start
    if completed.returncode not in (0, 1):
        last = (completed.stderr.strip().splitlines() or ["(nothing on stderr)"])[-1]
        sys.exit(f"error: grading with {checkout} exited {completed.returncode}: {last}")
    return seconds, completed.stdout


def batch_arguments(classroom, csv_path, jobs, data):
    """`batch` arguments writing a new gradebook at `csv_path` (an old one removed: no --resume)."""
    csv_path.unlink(missing_ok=True)
    return ["batch", str(classroom), "--csv", str(csv_path), "--jobs", str(jobs), "--data-dir", data]


def report_lines(stdout):
    """The report's lines, without the `Sandbox:` header (799417b did not print one)."""
    return [line for line in stdout.splitlines() if not line.startswith("Sandbox: ")]


def gradebook(path):
    """{file: (score, max, edition, points per function...)} of a batch CSV, timing and digest columns left out."""
    with open(path, newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    kept = [name for name in (rows[0] if rows else {}) if name not in ("seconds", "sha256", "digest", "error")]
    return {row["file"]: tuple(row[name] for name in kept if name != "file") for row in rows}


def read_timings(path):
    """[{phase: seconds}] from a GRADERS_TIMINGS file, one per graded submission."""
    if not path.exists():
        return []
    return [json.loads(line)["timings"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def phase_names(samples):
    names = [name for name in PHASE_ORDER if any(name in sample for sample in samples)]
    functions = [name for sample in samples for name in sample if name not in PHASE_ORDER and name not in AFTER_FUNCTIONS]
    names += list(dict.fromkeys(functions))
    return names + [name for name in AFTER_FUNCTIONS if any(name in sample for sample in samples)]


def median_phases(samples):
    """{phase: median seconds} over `samples` (a phase a sample lacks counts as 0)."""
    return {name: statistics.median(sample.get(name, 0.0) for sample in samples) for name in phase_names(samples)}


def label(name):
    return PHASE_LABELS.get(name, f"{name}()")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="folder with train_signs.h5 and test_signs.h5")
    parser.add_argument("--base", default="799417b", help="commit to compare with (default: 799417b)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each measurement (default: 3; medians are shown)")
    parser.add_argument("--jobs", type=int, default=2, help="the batch's --jobs (default: 2)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat: expected a positive number, received {args.repeat}")
    if args.jobs < 1:
        parser.error(f"--jobs: expected a positive number, received {args.jobs}")
    data_dir = Path(args.data_dir).resolve()
    for name in ("train_signs.h5", "test_signs.h5"):
        if not (data_dir / name).is_file():
            parser.error(f"--data-dir: {data_dir} has no {name}")
    data = str(data_dir)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", args.base], capture_output=True, text=True)
    if commit.returncode != 0:
        parser.error(f"--base: not a commit of this repository: {args.base!r}")
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout.strip()

    work = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    base = work / "base"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(base), args.base], check=True)
    today_label, base_label = "today", f"base {commit.stdout.strip()}"
    graders = {today_label: ROOT, base_label: base}
    one = {label_: [] for label_ in graders}
    batch = {label_: [] for label_ in graders}
    reports, books = {}, {}
    one_timings, batch_timings = work / "one.jsonl", work / "batch.jsonl"
    started = time.monotonic()
    try:
        classroom = work / "class"
        classroom.mkdir()
        for name in CLASS:
            shutil.copy(ROOT / "tests" / "submissions" / name, classroom / name)
        for label_, checkout in graders.items():
            # Untimed: each grader's own answer-key cache warmed, for both editions (the batch has v3b).
            cache = work / f"cache-{label_}"
            _, stdout = run(checkout, cache, [str(ROOT / ONE), "--data-dir", data])
            reports[label_] = report_lines(stdout)
            run(checkout, cache, batch_arguments(classroom, work / "warm.csv", args.jobs, data))
        for _ in range(args.repeat):
            for label_, checkout in graders.items():
                cache = work / f"cache-{label_}"
                timings = one_timings if label_ == today_label else None
                one[label_].append(run(checkout, cache, [str(ROOT / ONE), "--data-dir", data], timings)[0])
            for label_, checkout in graders.items():
                cache = work / f"cache-{label_}"
                timings = batch_timings if label_ == today_label else None
                csv_path = work / f"{label_}.csv"
                batch[label_].append(run(checkout, cache, batch_arguments(classroom, csv_path, args.jobs, data), timings)[0])
                books[label_] = gradebook(csv_path)
        one_phases, batch_phases = read_timings(one_timings), read_timings(batch_timings)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], check=False)
        shutil.rmtree(work, ignore_errors=True)

    print(f"today: {head}{' with uncommitted changes' if dirty else ''}; base: {args.base}; data: {data}")
    print(f"{os.cpu_count()} cores; {args.repeat} timed runs of each, medians; {time.monotonic() - started:.0f} s in all")
    print()
    print(f"one submission ({Path(ONE).name})")
    _phase_table(one_phases)
    t, b = statistics.median(one[today_label]), statistics.median(one[base_label])
    print(f"  {'wall time of python -m graders (s)':40}{t:10.1f}{b:14.1f}{t / b:8.2f}")
    print(f"  {'submissions per minute':40}{60 / t:10.2f}{60 / b:14.2f}{b / t:8.2f}")
    print(f"  runs (s): today {_runs(one[today_label])}; base {_runs(one[base_label])}; {_pairs(one[today_label], one[base_label])}")
    print()
    print(f"batch of {len(CLASS)}, --jobs {args.jobs} ({', '.join(CLASS)}); phases: median per submission")
    _phase_table(batch_phases)
    t, b = statistics.median(batch[today_label]), statistics.median(batch[base_label])
    print(f"  {'wall time of python -m graders batch (s)':40}{t:10.1f}{b:14.1f}{t / b:8.2f}")
    print(f"  {'submissions per minute':40}{len(CLASS) * 60 / t:10.2f}{len(CLASS) * 60 / b:14.2f}{b / t:8.2f}")
    print(f"  runs (s): today {_runs(batch[today_label])}; base {_runs(batch[base_label])}; {_pairs(batch[today_label], batch[base_label])}")
    print()
    same_report = reports[today_label] == reports[base_label]
    score = next((line for line in reports[today_label] if line.startswith("Score: ")), "no score line")
    print(f"same report (but the Sandbox: line): {same_report} ({score})")
    if not same_report:
        for line in sorted(set(reports[today_label]) ^ set(reports[base_label])):
            print(f"  differs: {line}")
    same_book = books[today_label] == books[base_label]
    print(f"same gradebook scores: {same_book} ({', '.join(f'{name} {row[0]}' for name, row in sorted(books[today_label].items()))})")
    return 0 if same_report and same_book else 1


def _phase_table(samples):
    """Today's phases (the base commit records none), in seconds."""
    print(f"  {'phase (s)':40}{'today':>10}{'base':>14}{'ratio':>8}")
    if not samples:
        print("  (today's grader recorded no phases)")
        return
    for name, seconds in median_phases(samples).items():
        print(f"  {label(name):40}{seconds:10.2f}{'-':>14}")


def _pairs(today, base):
    """Each run's today/base ratio (the two ran back to back, under about the same load) and their median."""
    ratios = [t / b for t, b in zip(today, base)]
    return f"ratio per pair {_runs(ratios, 2)}, median {statistics.median(ratios):.2f}"


def _runs(values, digits=1):
    return ", ".join(f"{value:.{digits}f}" for value in values)


if __name__ == "__main__":
    sys.exit(main())
