"""Shared fixtures.

Data from ../shared (beside the clone) is read in place, never copied into the
project. When CI=true a missing ../shared is a failure, not a skip.
"""
import os
import platform
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TFSIGNS_SHARED", ROOT.parent / "shared"))


def _require(path):
    if path.exists():
        return path
    message = f"needs {path} (the ../shared folder beside the clone)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + ": missing on CI")
    pytest.skip(message)


@pytest.fixture(scope="session")
def shared_signs():
    """Folder holding official test_signs.h5 and train_signs_nearcopy.h5."""
    return _require(SHARED / "signs")


@pytest.fixture(scope="session")
def nearcopy_dir(shared_signs, tmp_path_factory):
    """A data dir with the near-copy as train_signs.h5 and the official test file.

    Symlinks, so nothing from ../shared is copied.
    """
    directory = tmp_path_factory.mktemp("nearcopy")
    (directory / "train_signs.h5").symlink_to(shared_signs / "train_signs_nearcopy.h5")
    (directory / "test_signs.h5").symlink_to(shared_signs / "test_signs.h5")
    return directory


@pytest.fixture(scope="session")
def shared_images():
    return _require(SHARED / "images")


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Keep the embedded-default cache and data lookup away from the user's home and cwd."""
    cache = tmp_path_factory.getbasetemp() / "tfsigns-cache"
    monkeypatch.setenv("TFSIGNS_CACHE", str(cache))
    monkeypatch.delenv("TFSIGNS_DATA", raising=False)


def require_landlock(min_abi=1):
    """The kernel's ABI; skip below `min_abi`, but fail on CI when a Linux >= 5.13 kernel has no Landlock."""
    from graders.confine import landlock_abi

    abi = landlock_abi()
    if abi >= min_abi:
        return abi
    if abi == 0:
        match = re.match(r"(\d+)\.(\d+)", platform.release())
        recent = sys.platform.startswith("linux") and match and tuple(map(int, match.groups())) >= (5, 13)
        if os.environ.get("CI", "").lower() == "true" and recent:
            pytest.fail(f"Landlock unavailable on CI (Linux {platform.release()} should have it: enabled in the LSM list?)")
        pytest.skip(f"Landlock unavailable here ({sys.platform}, kernel {platform.release()})")
    pytest.skip(f"needs Landlock ABI >= {min_abi}, this kernel has {abi}")


def require_bubblewrap():
    """Skip where bubblewrap cannot run the child; on CI (which installs it) fail instead."""
    import shutil

    if shutil.which("bwrap") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("bubblewrap is not installed on CI (.ci/run installs the Debian package bubblewrap)")
        pytest.skip("bubblewrap is not installed (apt-get install bubblewrap)")
