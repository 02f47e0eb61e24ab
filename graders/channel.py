"""The grader's pipe protocol with its child: framed messages, parsed with bounds on the parent's side.

A message is one frame on a pipe:

    ">II"  header bytes, number of arrays
    header (UTF-8 JSON)
    per array: ">Q" length, then the array in `.npy` format

Arrays inside the JSON are `{"npy": index}`. Nothing goes through the child's
folder: the parent never opens a path the child could have replaced with a
symlink or a FIFO, and nothing the child sends is unpickled.

The child's side trusts the parent. The parent's side trusts nothing:
`read_frame` caps the header and array sizes before reading them,
`parse_header` bounds JSON nesting and number lengths, `parse_array` checks
that an `.npy` header's shape times item size is exactly the bytes present.
Every failure is an `InvalidReply`, which fails the one check it answers.
"""
import io
import json
import math
import os
import select
import struct
import sys
import time

MAX_HEADER = 1 << 20  # bytes of JSON in one reply
MAX_ARRAYS = 64  # arrays in one reply
MAX_ARRAY_BYTES = 300 * 1024 * 1024  # all arrays of one reply together
MAX_DEPTH = 16  # nesting of JSON lists and objects in one reply
MAX_NUMBER = 40  # characters of one JSON number
MAX_NPY_HEADER = 4096  # bytes of one .npy header
MAX_DIMENSIONS = 32
_NUMERIC_KINDS = "biuf"

_FRAME = struct.Struct(">II")
_LENGTH = struct.Struct(">Q")


class InvalidReply(Exception):
    """What the child sent is not a well-formed, bounded message (the text says how)."""


class ChannelClosed(Exception):
    """The other end closed its pipe (the child died)."""


# ---------------------------------------------------------------------------
# Encoding (both sides)


def encode(message):
    """Bytes of one frame: `message` with its numpy arrays moved out of the JSON."""
    # numpy only when loaded: the child says hello and confines itself before numpy starts its threads.
    np = sys.modules.get("numpy")
    arrays = []

    def walk(value):
        if np is None:
            return value
        if isinstance(value, np.ndarray):
            arrays.append(value)
            return {"npy": len(arrays) - 1}
        if isinstance(value, dict):
            return {str(key): walk(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [walk(item) for item in value]
        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, np.floating):
            return float(value)
        return value

    header = json.dumps(walk(message)).encode("utf-8")
    parts = [_FRAME.pack(len(header), len(arrays)), header]
    for array in arrays:
        buffer = io.BytesIO()
        np.save(buffer, np.asarray(array), allow_pickle=False)
        data = buffer.getvalue()
        parts += [_LENGTH.pack(len(data)), data]
    return b"".join(parts)


def decode_trusted(header, blobs):
    """The child's side: the parent's message with its arrays put back."""
    message = json.loads(header.decode("utf-8"))
    if not blobs:
        return message
    import numpy as np

    arrays = [np.load(io.BytesIO(blob), allow_pickle=False) for blob in blobs]

    def walk(value):
        if isinstance(value, dict):
            if set(value) == {"npy"} and isinstance(value["npy"], int):
                return arrays[value["npy"]]
            return {key: walk(item) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        return value

    return walk(message)


# ---------------------------------------------------------------------------
# Blocking I/O (the child's side)


def read_exact(stream, size):
    data = stream.read(size)
    if data is None or len(data) < size:
        raise ChannelClosed()
    return data


def receive_trusted(stream):
    """The child's side: one frame from a binary stream, or None at end of input."""
    head = stream.read(_FRAME.size)
    if not head:
        return None
    if len(head) < _FRAME.size:
        raise ChannelClosed()
    header_size, count = _FRAME.unpack(head)
    header = read_exact(stream, header_size)
    blobs = [read_exact(stream, _LENGTH.unpack(read_exact(stream, _LENGTH.size))[0]) for _ in range(count)]
    return decode_trusted(header, blobs)


def send_blocking(stream, message):
    stream.write(encode(message))
    stream.flush()


# ---------------------------------------------------------------------------
# The parent's side: non-blocking, with a deadline and bounds


def write_all(fd, data, deadline):
    """Write `data` to the non-blocking `fd` before `deadline` (TimeoutError, ChannelClosed)."""
    view = memoryview(data)
    while view:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError()
        _, ready, _ = select.select([], [fd], [], min(remaining, 1.0))
        if not ready:
            continue
        try:
            written = os.write(fd, view[: 1 << 20])
        except BlockingIOError:
            continue
        except (BrokenPipeError, OSError):
            raise ChannelClosed() from None
        view = view[written:]


class FrameReader:
    """Reads frames from the child's non-blocking reply pipe, size caps checked before reading."""

    def __init__(self, fd):
        self.fd = fd
        self.buffer = bytearray()

    def _fill(self, size, deadline):
        while len(self.buffer) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError()
            ready, _, _ = select.select([self.fd], [], [], min(remaining, 1.0))
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, max(size - len(self.buffer), 1 << 16))
            except BlockingIOError:
                continue
            except OSError:
                raise ChannelClosed() from None
            if not chunk:
                raise ChannelClosed()
            self.buffer += chunk

    def _take(self, size, deadline):
        self._fill(size, deadline)
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def read_frame(self, deadline):
        """(header bytes, [array bytes]) of the next frame.

        Raises:
            TimeoutError, ChannelClosed, InvalidReply (a size over its cap).
        """
        header_size, count = _FRAME.unpack(self._take(_FRAME.size, deadline))
        if header_size > MAX_HEADER:
            raise InvalidReply(f"a reply header of {header_size} bytes (the cap is {MAX_HEADER})")
        if count > MAX_ARRAYS:
            raise InvalidReply(f"{count} arrays in one reply (the cap is {MAX_ARRAYS})")
        header = self._take(header_size, deadline)
        blobs, total = [], 0
        for _ in range(count):
            (size,) = _LENGTH.unpack(self._take(_LENGTH.size, deadline))
            total += size
            if total > MAX_ARRAY_BYTES:
                raise InvalidReply(f"arrays of more than {MAX_ARRAY_BYTES} bytes in one reply")
            blobs.append(self._take(size, deadline))
        return header, blobs


def _bounded_int(text):
    if len(text) > MAX_NUMBER:
        raise InvalidReply(f"an integer of {len(text)} digits")
    return int(text)


def _bounded_float(text):
    if len(text) > MAX_NUMBER:
        raise InvalidReply(f"a number of {len(text)} characters")
    return float(text)


def _depth(data):
    """The deepest nesting of JSON lists and objects in `data`, strings skipped."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def parse_header(data):
    """The reply's JSON, with nesting and number sizes bounded (InvalidReply otherwise)."""
    if _depth(data) > MAX_DEPTH:
        raise InvalidReply(f"JSON nested more than {MAX_DEPTH} levels deep")
    try:
        return json.loads(
            data.decode("utf-8"),
            parse_int=_bounded_int,
            parse_float=_bounded_float,
            parse_constant=lambda name: float(name),
        )
    except InvalidReply:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError, MemoryError) as error:
        raise InvalidReply(f"unreadable JSON ({type(error).__name__})") from None


def parse_array(blob):
    """A numeric numpy array from `.npy` bytes, never unpickled; InvalidReply unless shape x item size == the bytes present."""
    import numpy as np

    stream = io.BytesIO(blob)
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(stream, max_header_size=MAX_NPY_HEADER)
        elif version == (2, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(stream, max_header_size=MAX_NPY_HEADER)
        else:
            raise InvalidReply(f".npy format version {version}")
    except InvalidReply:
        raise
    except Exception as error:  # numpy raises ValueError, SyntaxError, TypeError ... on a forged header
        raise InvalidReply(f"an unreadable .npy header ({type(error).__name__})") from None
    if dtype.kind not in _NUMERIC_KINDS or dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
        raise InvalidReply(f"an array of dtype {dtype!s:.40}, not a number type")
    if len(shape) > MAX_DIMENSIONS or not all(isinstance(d, int) and d >= 0 for d in shape):
        raise InvalidReply("an array header with an impossible shape")
    offset = stream.tell()
    count = math.prod(shape)  # Python integers: no overflow
    if count * dtype.itemsize != len(blob) - offset:
        raise InvalidReply(
            f"an array header claiming {count} elements of {dtype.itemsize} bytes with {len(blob) - offset} bytes present"
        )
    array = np.frombuffer(blob, dtype=dtype, count=count, offset=offset)
    return array.reshape(shape, order="F" if fortran_order else "C").copy()
