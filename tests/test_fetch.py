"""fetch(): mirrors tried in turn, fingerprint checked before a file is moved into place.

Mirrors here are local http.server instances on 127.0.0.1 serving symlinks to
../shared; nothing goes to the internet. The official train file is not
available offline, so tests that need a train file to verify patch its
expected fingerprint to the near-copy's (`near_copy_is_official`).
"""
import functools
import http.server
import socket
import threading

import pytest

from tfsigns import cli, data
from tfsigns.errors import FetchError


@pytest.fixture(autouse=True)
def _no_mirror_override(monkeypatch):
    monkeypatch.delenv("TFSIGNS_MIRRORS", raising=False)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep pytest output clean
        pass


@pytest.fixture
def serve():
    """Start an HTTP server on 127.0.0.1 for a folder; returns (base URL, list of requested paths)."""
    servers = []

    def start(folder):
        requested = []

        class Handler(_QuietHandler):
            def do_GET(self):
                requested.append(self.path)
                super().do_GET()

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/signs", requested

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _mirror_folder(root, files):
    """A folder laid out as a mirror: <root>/signs/<name> for each name -> source path (symlinked) or bytes."""
    folder = root / "signs"
    folder.mkdir(parents=True)
    for name, source in files.items():
        if isinstance(source, bytes):
            (folder / name).write_bytes(source)
        else:
            (folder / name).symlink_to(source)
    return root


@pytest.fixture
def good_mirror(tmp_path, shared_signs):
    """Mirror folder with the official test file and the near-copy under the train name."""
    return _mirror_folder(
        tmp_path / "good",
        {"test_signs.h5": shared_signs / "test_signs.h5", "train_signs.h5": shared_signs / "train_signs_nearcopy.h5"},
    )


@pytest.fixture
def near_copy_is_official(shared_signs, monkeypatch):
    """Make the near-copy verify as the official train file (the real one is not available offline)."""
    blob = data.fingerprint(shared_signs / "train_signs_nearcopy.h5", "train")
    monkeypatch.setitem(data._EXPECTED, "train", blob)
    return blob


def _closed_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/signs"


def test_mirrors_are_the_three_pinned_commits():
    raw = "https://raw.githubusercontent.com"
    urls = [data.mirror_url(base, name) for base in data.MIRRORS for name in ("train_signs.h5", "test_signs.h5")]
    assert urls == [
        f"{raw}/itsayushthada/Convolution-Neural-Network/fd28f400f7ac0605657efcfd4f9dc3e354e0abf1/datasets/train_signs.h5",
        f"{raw}/itsayushthada/Convolution-Neural-Network/fd28f400f7ac0605657efcfd4f9dc3e354e0abf1/datasets/test_signs.h5",
        f"{raw}/Muscade/TensorFlowEdu/43e73b67b2943b568392399f561dc86cbbb11874/datasets/train_signs.h5",
        f"{raw}/Muscade/TensorFlowEdu/43e73b67b2943b568392399f561dc86cbbb11874/datasets/test_signs.h5",
        f"{raw}/DrAlexSanz/CNN-in-TF/5f0da09b23d8920755c2d0087debebdfe3ce8bf0/train_signs.h5",
        f"{raw}/DrAlexSanz/CNN-in-TF/5f0da09b23d8920755c2d0087debebdfe3ce8bf0/test_signs.h5",
    ]


def test_mirror_url_joins_with_one_slash():
    assert data.mirror_url("http://host/a/", "test_signs.h5") == "http://host/a/test_signs.h5"
    assert data.mirror_url("file:///srv/signs", "train_signs.h5") == "file:///srv/signs/train_signs.h5"


def test_mirrors_from_environment_splits_on_spaces(monkeypatch):
    assert data.mirrors_from_environment() is None
    monkeypatch.setenv("TFSIGNS_MIRRORS", "  http://a/x   http://b/y ")
    assert data.mirrors_from_environment() == ("http://a/x", "http://b/y")
    monkeypatch.setenv("TFSIGNS_MIRRORS", "   ")
    assert data.mirrors_from_environment() is None


def test_fetch_rejects_a_train_file_with_the_wrong_fingerprint(tmp_path, good_mirror, serve):
    base, _ = serve(good_mirror)
    dest = tmp_path / "dest"
    lines = []
    with pytest.raises(FetchError) as error:
        data.fetch(dest, mirrors=[base], log=lines.append)
    message = str(error.value)
    assert message.startswith(
        f"could not obtain a verified file in {dest}: train_signs.h5 ({base}/train_signs.h5: "
        "wrong fingerprint (8274622 bytes, git blob id "
    )
    assert message.endswith(", expected 15904fbeb148...))")
    assert "\n" not in message
    # The verified test file stays; the rejected train file and all temp files are gone.
    assert sorted(p.name for p in dest.iterdir()) == ["test_signs.h5"]
    assert data.file_status(dest / "test_signs.h5", "test") == "official"
    assert lines == [
        lines[0],
        f"test_signs.h5 from {base}/test_signs.h5: official (verified)",
    ]
    assert lines[0].startswith(f"train_signs.h5 from {base}/train_signs.h5: wrong fingerprint (8274622 bytes")


def test_fetch_moves_on_from_a_truncated_file_to_a_good_mirror(
    tmp_path, shared_signs, good_mirror, serve, near_copy_is_official
):
    truncated = (shared_signs / "test_signs.h5").read_bytes()[:10_000]
    bad_base, _ = serve(_mirror_folder(tmp_path / "bad", {"test_signs.h5": truncated}))
    good_base, _ = serve(good_mirror)
    dest = tmp_path / "dest"
    lines = []
    paths = data.fetch(dest, mirrors=[bad_base, good_base], log=lines.append)
    assert paths == [dest / "train_signs.h5", dest / "test_signs.h5"]
    assert sorted(p.name for p in dest.iterdir()) == ["test_signs.h5", "train_signs.h5"]
    assert data.file_status(dest / "test_signs.h5", "test") == "official"
    assert data.file_status(dest / "train_signs.h5", "train") == "official"
    assert lines[0] == f"train_signs.h5 from {bad_base}/train_signs.h5: HTTP 404 File not found"
    assert lines[1] == f"train_signs.h5 from {good_base}/train_signs.h5: official (verified)"
    assert lines[2].startswith(f"test_signs.h5 from {bad_base}/test_signs.h5: wrong fingerprint (10000 bytes, sha256 ")
    assert lines[3] == f"test_signs.h5 from {good_base}/test_signs.h5: official (verified)"
    assert len(lines) == 4


def test_fetch_tries_the_next_mirror_when_one_is_unreachable(tmp_path, good_mirror, serve, near_copy_is_official):
    closed = _closed_port_url()
    good_base, _ = serve(good_mirror)
    lines = []
    paths = data.fetch(tmp_path / "dest", mirrors=[closed, good_base], log=lines.append)
    assert len(paths) == 2
    assert lines[0].startswith(f"train_signs.h5 from {closed}/train_signs.h5: unreachable (")
    assert lines[1] == f"train_signs.h5 from {good_base}/train_signs.h5: official (verified)"


def test_fetch_gives_up_on_a_silent_mirror_after_the_timeout(tmp_path):
    # A socket that accepts connections but never answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        base = f"http://127.0.0.1:{silent.getsockname()[1]}/signs"
        lines = []
        with pytest.raises(FetchError) as error:
            data.fetch(tmp_path / "dest", mirrors=[base], timeout=0.3, log=lines.append)
    assert lines == [
        f"train_signs.h5 from {base}/train_signs.h5: timed out after 0.3 s",
        f"test_signs.h5 from {base}/test_signs.h5: timed out after 0.3 s",
    ]
    assert str(error.value) == (
        f"could not obtain a verified file in {tmp_path / 'dest'}: "
        f"train_signs.h5 ({base}/train_signs.h5: timed out after 0.3 s); "
        f"test_signs.h5 ({base}/test_signs.h5: timed out after 0.3 s)"
    )
    assert list((tmp_path / "dest").iterdir()) == []


def test_fetch_keeps_a_verified_file_without_downloading_it(
    tmp_path, shared_signs, good_mirror, serve, near_copy_is_official
):
    base, requested = serve(good_mirror)
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "test_signs.h5").symlink_to(shared_signs / "test_signs.h5")
    lines = []
    data.fetch(dest, mirrors=[base], log=lines.append)
    assert requested == ["/signs/train_signs.h5"]
    assert lines[1] == f"{dest / 'test_signs.h5'}: already there, official (verified); not downloaded again"
    assert (dest / "test_signs.h5").is_symlink()


def test_fetch_replaces_an_unofficial_file_only_with_a_verified_one(tmp_path, shared_signs, good_mirror, serve):
    bad_base, _ = serve(_mirror_folder(tmp_path / "bad", {"test_signs.h5": b"<html>not it</html>"}))
    good_base, _ = serve(good_mirror)
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "test_signs.h5").write_bytes(b"my own file")
    with pytest.raises(FetchError):
        data.fetch(dest, mirrors=[bad_base], log=lambda line: None)
    assert (dest / "test_signs.h5").read_bytes() == b"my own file"
    assert sorted(p.name for p in dest.iterdir()) == ["test_signs.h5"]
    with pytest.raises(FetchError):  # the train file still cannot verify
        data.fetch(dest, mirrors=[bad_base, good_base], log=lambda line: None)
    assert data.file_status(dest / "test_signs.h5", "test") == "official"
    assert sorted(p.name for p in dest.iterdir()) == ["test_signs.h5"]


def test_fetch_with_no_verified_file_anywhere_leaves_dest_empty(tmp_path, serve):
    base, _ = serve(_mirror_folder(tmp_path / "empty", {}))
    dest = tmp_path / "dest"
    with pytest.raises(FetchError) as error:
        data.fetch(dest, mirrors=[base], log=lambda line: None)
    assert str(error.value) == (
        f"could not obtain a verified file in {dest}: "
        f"train_signs.h5 ({base}/train_signs.h5: HTTP 404 File not found); "
        f"test_signs.h5 ({base}/test_signs.h5: HTTP 404 File not found)"
    )
    assert list(dest.iterdir()) == []


def test_fetch_reads_the_mirrors_from_the_environment(tmp_path, good_mirror, serve, near_copy_is_official, monkeypatch):
    base, _ = serve(good_mirror)
    monkeypatch.setenv("TFSIGNS_MIRRORS", f"{_closed_port_url()} {base}")
    lines = []
    data.fetch(tmp_path / "dest", log=lines.append)
    assert lines[0].startswith("mirrors from TFSIGNS_MIRRORS: http://127.0.0.1:")
    assert lines[-1] == f"test_signs.h5 from {base}/test_signs.h5: official (verified)"


@pytest.fixture
def data_cli(monkeypatch):
    """`python -m tfsigns` with only the data command (the others are written elsewhere)."""
    monkeypatch.setattr(cli, "COMMANDS", ("data",))
    return cli.main


def test_cli_fetch_downloads_into_dest(
    tmp_path, good_mirror, serve, near_copy_is_official, monkeypatch, data_cli, capsys
):
    base, _ = serve(good_mirror)
    monkeypatch.setenv("TFSIGNS_MIRRORS", base)
    dest = tmp_path / "dest"
    assert data_cli(["data", "fetch", "--dest", str(dest)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"mirrors from TFSIGNS_MIRRORS: {base}",
        f"train_signs.h5 from {base}/train_signs.h5: official (verified)",
        f"test_signs.h5 from {base}/test_signs.h5: official (verified)",
        f"{dest / 'train_signs.h5'}: official (verified)",
        f"{dest / 'test_signs.h5'}: official (verified)",
    ]


def test_cli_fetch_defaults_to_data_in_the_working_directory(
    tmp_path, good_mirror, serve, near_copy_is_official, monkeypatch, data_cli
):
    base, _ = serve(good_mirror)
    monkeypatch.setenv("TFSIGNS_MIRRORS", base)
    monkeypatch.chdir(tmp_path)
    assert data_cli(["data", "fetch"]) == 0
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["test_signs.h5", "train_signs.h5"]
    # ./data is then what `data` finds.
    assert data.resolve_data_dir().directory == tmp_path / "data"


def test_cli_fetch_failure_is_one_error_line(tmp_path, good_mirror, serve, monkeypatch, data_cli, capsys):
    base, _ = serve(good_mirror)
    monkeypatch.setenv("TFSIGNS_MIRRORS", base)
    dest = tmp_path / "dest"
    assert data_cli(["data", "fetch", "--dest", str(dest)]) == 2
    captured = capsys.readouterr()
    assert len(captured.err.splitlines()) == 1
    assert captured.err.startswith(f"error: could not obtain a verified file in {dest}: train_signs.h5 (")
    assert "Traceback" not in captured.err
    assert captured.out.splitlines()[-1] == f"test_signs.h5 from {base}/test_signs.h5: official (verified)"
