"""graders.isolation: what the child may see and inherit, and the fallback when bubblewrap cannot run."""
import os
import sys
from pathlib import Path

import pytest

from graders import isolation

ROOT = Path(__file__).resolve().parents[1]


def _bound_sources(command):
    """The host paths a bwrap command line binds into the child's view."""
    sources = []
    for index, word in enumerate(command):
        if word in ("--ro-bind", "--bind", "--dev-bind") and index + 2 < len(command) and command[index + 2] != "/":
            sources.append(command[index + 1])
    return sources


def test_the_child_sees_python_and_the_staged_helpers_but_not_the_project():
    stage = isolation.isolation().stage
    command = isolation.bwrap_command([sys.executable, "-c", "pass"], stage, isolation.python_roots())
    sources = _bound_sources(command)
    project = str(ROOT)
    assert stage in sources
    # Nothing that holds the project's sources (tfsigns' reference, bench/) is bound; a venv inside it may be.
    for source in sources:
        assert not project.startswith(source.rstrip("/") + "/") and source != project, source
        if source.startswith(project + "/"):
            assert source.startswith(os.path.realpath(sys.prefix)), source
    staged = sorted(str(path.relative_to(stage)) for path in Path(stage).rglob("*.py"))
    assert staged == sorted(isolation.child_files())
    # The core's files and each assignment's child side; their tables, answer keys and plug-ins stay with the parent.
    assert set(isolation.CHILD_FILES) | {
        "graders/assignments/tf1_tutorial/__init__.py",
        "graders/assignments/tf1_tutorial/runners.py",
        "graders/assignments/tf1_tutorial/compat/__init__.py",
        "graders/assignments/tf1_tutorial/compat/contrib.py",
        "graders/assignments/tf1_tutorial/compat/graph_globals.py",
        "graders/assignments/tf1_tutorial/compat/minibatches.py",
        "graders/assignments/tf1_tutorial/compat/tf_utils.py",
        "graders/assignments/tf2_introduction/__init__.py",
        "graders/assignments/tf2_introduction/runners.py",
        "tfsigns/tf_utils.py",
    } == set(staged)
    assert not any(name.endswith(("assignment.py", "keras_model.py", "tf2.py", "answers.py")) for name in staged)
    assert "--unshare-pid" in command and "--unshare-net" in command and "--die-with-parent" in command
    assert command[command.index("--size") + 1] == str(isolation.WORK_MB * 1024 * 1024)


def test_the_environment_is_an_allow_list_of_names(monkeypatch):
    monkeypatch.setenv("TF_TOKEN_app_terraform_io", "secret-1")
    monkeypatch.setenv("TF_VAR_password", "secret-2")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-3")
    monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", "2")
    env = isolation.child_environment("/sandbox")
    assert env["TF_NUM_INTRAOP_THREADS"] == "2"
    assert not any(value.startswith("secret-") for value in env.values())
    assert env["HOME"] == "/sandbox/home" and env["TMPDIR"] == "/sandbox/tmp"


def test_without_bwrap_the_fallback_is_chosen_and_says_why(monkeypatch):
    monkeypatch.setattr(isolation.shutil, "which", lambda name: None)
    monkeypatch.setenv(isolation.SANDBOX_ENV, "auto")
    chosen = isolation._choose(isolation.isolation().stage)
    assert chosen.kind == "landlock"
    assert chosen.description.startswith("Landlock fallback (uid ")
    assert chosen.warning == (
        "bubblewrap not used (bwrap is not installed (Debian: apt-get install bubblewrap)): the weaker Landlock fallback ran"
    )


def test_requiring_bubblewrap_where_it_is_missing_is_an_error(monkeypatch):
    monkeypatch.setattr(isolation.shutil, "which", lambda name: None)
    monkeypatch.setenv(isolation.SANDBOX_ENV, "bubblewrap")
    with pytest.raises(isolation.IsolationError, match="GRADERS_SANDBOX=bubblewrap but bubblewrap cannot run the child: bwrap is not installed"):
        isolation._choose(isolation.isolation().stage)
    monkeypatch.setenv(isolation.SANDBOX_ENV, "docker")
    with pytest.raises(isolation.IsolationError, match="expected auto, bubblewrap or landlock, received 'docker'"):
        isolation._choose(isolation.isolation().stage)
