"""graders.channel: what the child sends is parsed with bounds; nothing it sends can crash the grader."""
import io
import json
import os
import struct
import time

import numpy as np
import pytest

from graders import channel


def _frame(header, blobs=()):
    """A raw frame as a hostile child could write it."""
    parts = [struct.pack(">II", len(header), len(blobs)), header]
    for blob in blobs:
        parts += [struct.pack(">Q", len(blob)), blob]
    return b"".join(parts)


def _read(data):
    """Frame `data` through a real pipe, as the parent reads the child's replies."""
    read_fd, write_fd = os.pipe()
    try:
        os.set_blocking(read_fd, False)
        os.write(write_fd, data)
        os.close(write_fd)
        write_fd = -1
        return channel.FrameReader(read_fd).read_frame(time.monotonic() + 5)
    finally:
        os.close(read_fd)
        if write_fd >= 0:
            os.close(write_fd)


def _npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def test_a_message_with_arrays_goes_through_a_pipe_unchanged():
    value = np.arange(12, dtype=np.float32).reshape(3, 4)
    header, blobs = _read(channel.encode({"id": 3, "arrays": {"value": value}, "n": np.int64(7)}))
    message = channel.parse_header(header)
    assert message == {"id": 3, "arrays": {"value": {"npy": 0}}, "n": 7}
    np.testing.assert_array_equal(channel.parse_array(blobs[0]), value)
    assert channel.parse_array(blobs[0]).dtype == np.float32


@pytest.mark.parametrize(
    "header, reason",
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested more than"),
        (b'{"id": ' + b"9" * 5000 + b"}", "an integer of 5000 digits"),
        (b'{"x": 1' + b"0" * 100 + b'.5}', "a number of"),
        (b"\xff\xfe not utf-8", "unreadable JSON"),
        (b'{"id": 1', "unreadable JSON"),
    ],
)
def test_hostile_json_is_an_invalid_reply_not_a_crash(header, reason):
    with pytest.raises(channel.InvalidReply, match=reason):
        channel.parse_header(header)


def test_brackets_inside_strings_do_not_count_as_nesting():
    assert channel.parse_header(json.dumps({"text": "[" * 1000}).encode()) == {"text": "[" * 1000}


def test_a_npy_header_claiming_more_elements_than_bytes_is_refused():
    forged = _npy(np.zeros(4, dtype=np.float64)).replace(b"(4,)", b"(140737488355328,)")  # 2**47 elements
    with pytest.raises(channel.InvalidReply, match="claiming 140737488355328 elements"):
        channel.parse_array(forged)


@pytest.mark.parametrize(
    "blob, reason",
    [
        (_npy(np.array(["a", "b"])), "not a number type"),
        (b"\x93NUMPY\x01\x00" + b"\xff\xff" + b"x" * 100, "unreadable .npy header"),
        (b"not an npy file", "unreadable .npy header"),
        (_npy(np.zeros((1,) * 40)), "impossible shape"),
    ],
)
def test_arrays_that_are_not_plain_numbers_are_refused(blob, reason):
    with pytest.raises(channel.InvalidReply, match=reason):
        channel.parse_array(blob)


def test_an_object_array_is_never_unpickled():
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(channel.InvalidReply, match="not a number type"):
        channel.parse_array(buffer.getvalue())


def test_frame_sizes_over_their_caps_are_refused_before_reading():
    with pytest.raises(channel.InvalidReply, match="reply header of"):
        _read(struct.pack(">II", channel.MAX_HEADER + 1, 0))
    with pytest.raises(channel.InvalidReply, match="arrays in one reply"):
        _read(struct.pack(">II", 2, channel.MAX_ARRAYS + 1) + b"{}")
    with pytest.raises(channel.InvalidReply, match="arrays of more than"):
        _read(struct.pack(">II", 2, 1) + b"{}" + struct.pack(">Q", channel.MAX_ARRAY_BYTES + 1))


def test_a_child_that_closes_mid_frame_is_a_closed_channel_and_silence_a_timeout():
    with pytest.raises(channel.ChannelClosed):
        _read(_frame(b'{"id": 1}')[:-3])
    read_fd, write_fd = os.pipe()
    try:
        os.set_blocking(read_fd, False)
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            channel.FrameReader(read_fd).read_frame(time.monotonic() + 0.3)
        assert time.monotonic() - started < 2.0
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_writing_to_a_child_that_never_reads_times_out_instead_of_hanging():
    read_fd, write_fd = os.pipe()
    try:
        os.set_blocking(write_fd, False)
        with pytest.raises(TimeoutError):
            channel.write_all(write_fd, b"x" * (4 << 20), time.monotonic() + 0.3)  # more than a pipe holds
    finally:
        os.close(read_fd)
        os.close(write_fd)
