"""Read one's own photo and turn it into the network's input, as the data set's images were.

The course's last cell ("test with your own image") used `scipy.ndimage.imread`
and `scipy.misc.imresize`, both removed from SciPy since, and fed 0..255 pixels
to a model trained on inputs scaled by 1/255. Here:

1. Pillow opens any format it reads (JPEG, PNG, WebP, GIF, BMP, TIFF, ...);
   an animated file gives its first frame.
2. The EXIF orientation is applied (a phone's portrait photo stands upright).
3. The pixels become 8-bit RGB: grayscale, palette and CMYK through Pillow's
   conversions; 16-bit grayscale scaled by 1/257 (65535 -> 255); anything
   with transparency (RGBA, LA, PA, palette with a transparent colour) is
   composited over a white background, and `PreparedImage.notes` says so
   (`predict --verbose` prints the notes). Mode "I" (32-bit integers, what
   older Pillow gave for 16-bit PNGs) is taken as 16-bit too.
4. The whole picture is resized to 64x64 (not cropped: the notebook's
   `imresize` did the same, so crop the photo around the hand for the best
   result) with `RESAMPLING` (Lanczos, see below). A 64x64 image is not
   resampled at all: its pixels are used as they are.
5. `tf_utils.flatten_images`, the very function the data set goes through,
   flattens to a (12288, 1) column and scales by 1/255. So a 64x64 RGB image
   stored losslessly (PNG) gives exactly the data set's input vector.

Bad input raises `ImageError` with one line naming the file and the problem:
missing, a directory, not an image, truncated or corrupt data, or more than
`MAX_PIXELS` pixels (checked on the size the header declares, before any
pixel is decoded).
"""
import os
import re
import struct
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from tfsigns.errors import ImageError
from tfsigns.tf_utils import flatten_images

IMAGE_SIZE = 64  # the SIGNS images are 64x64 RGB
# The most pixels (width x height) an image may declare, checked on the header
# before any decoding: a PNG of a few kilobytes can declare a picture that takes
# gigabytes once decoded. Pillow's own limit (it refuses above 2 x
# Image.MAX_IMAGE_PIXELS, ~179 megapixels, 0.5 GB as 8-bit RGB) is too high for
# photos that are shrunk to 64x64 anyway; 50 megapixels (150 MB as RGB) still
# takes a phone's usual 12 to 48 megapixel photo.
MAX_PIXELS = 50_000_000
# Lanczos (a windowed sinc over 3 lobes): Pillow widens its support by the
# reduction factor, so a 3024-pixel photo is properly low-pass filtered
# (antialiased) on its way to 64 pixels, and it keeps edges sharper than
# BILINEAR (what the notebook's `imresize` used), BICUBIC or BOX. No
# `reducing_gap`: the exact filter costs ~0.06 s on a 12-megapixel photo.
RESAMPLING = Image.Resampling.LANCZOS
DISPLAY_SIZE = 384  # longest side of the copy kept for plots
WHITE = (255, 255, 255)

# What corrupt image data makes Pillow's decoders raise, besides OSError.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, KeyError, ZeroDivisionError)


@dataclass
class PreparedImage:
    """One image file, read and turned into the network's input.

    Attributes:
        path: the file read.
        name: the path as the caller spelled it (what messages and output show).
        pixels: uint8 (64, 64, 3), what the network sees.
        X: float64 (12288, 1), `flatten_images(pixels[None])`: the input column.
        display: the picture after orientation and RGB conversion, shrunk to
            at most `DISPLAY_SIZE` pixels a side (a PIL RGB image, for plots).
        source: a short description, e.g. "JPEG 3024x3024 RGB".
        notes: what was done beyond the usual (orientation, alpha, bit depth, ...).
    """

    path: Path
    name: str
    pixels: np.ndarray
    X: np.ndarray
    display: Image.Image
    source: str
    notes: list = field(default_factory=list)


def load_image(path):
    """Read an image file and prepare it as the network's input.

    Args:
        path: an image file Pillow can read.

    Returns:
        A `PreparedImage` (pixels uint8 (64, 64, 3), X float64 (12288, 1)).

    Raises:
        ImageError: "<path>: <problem>" for a missing file, a directory, a file
            that is not an image, truncated or corrupt image data, or an image
            of more than `MAX_PIXELS` pixels.
    """
    picture, source, notes = _read(Path(path), os.fspath(path))
    picture = to_rgb(picture, notes)
    pixels = to_network_pixels(picture, notes)
    # Keep a small copy only: a dozen 12-megapixel photos would hold ~0.3 GB.
    display = picture.copy()
    display.thumbnail((DISPLAY_SIZE, DISPLAY_SIZE), RESAMPLING)
    return PreparedImage(
        path=Path(path),
        name=os.fspath(path),
        pixels=pixels,
        X=preprocess(pixels[np.newaxis]),
        display=display,
        source=source,
        notes=notes,
    )


def preprocess(images):
    """The data set's preprocessing, the same function for one's own photos.

    Args:
        images: uint8 (m, 64, 64, 3).

    Returns:
        float64 (12288, m) in 0..1.
    """
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE, 3):
        raise ValueError(f"images: expected uint8 (m, 64, 64, 3), received {images.dtype} {images.shape}")
    return flatten_images(images)


def to_rgb(picture, notes=None):
    """Convert a PIL image of any mode to 8-bit RGB.

    Transparency is composited over white; 16-bit grayscale is scaled by
    1/257 and rounded (so 8-bit values stored in 16 bits come back exactly).

    Args:
        picture: a PIL image (EXIF orientation already applied).
        notes: optional list; a sentence is appended for each conversion
            that changes more than the storage format.

    Returns:
        A PIL image in mode "RGB".
    """
    notes = notes if notes is not None else []
    mode = picture.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # Pillow's own convert() clips 16-bit values at 255 (a white picture).
        values = np.asarray(picture, dtype=np.float64)
        gray = np.clip(np.rint(values / 257.0), 0, 255).astype(np.uint8)
        notes.append(f"16-bit grayscale ({mode}) scaled to 8 bits (/257)")
        return Image.fromarray(gray).convert("RGB")
    has_alpha = mode in ("RGBA", "LA", "PA", "La", "RGBa") or (mode in ("P", "L", "RGB", "1") and "transparency" in picture.info)
    if has_alpha:
        rgba = picture.convert("RGBA")
        alpha = rgba.getchannel("A")
        if alpha.getextrema()[0] < 255:
            notes.append("transparent pixels composited over white")
        background = Image.new("RGBA", rgba.size, WHITE + (255,))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if mode == "RGB":
        return picture
    if mode == "F":
        # Floating-point pixels: taken as 0..255, clipped, as Pillow's "L" conversion does.
        notes.append("32-bit float pixels clipped to 0..255")
        return picture.convert("L").convert("RGB")
    if mode == "CMYK":
        notes.append("CMYK converted to RGB (Pillow's conversion, no colour profile)")
    elif mode not in ("L", "P", "1", "YCbCr", "LAB", "HSV"):
        notes.append(f"{mode} converted to RGB")
    return picture.convert("RGB")


def to_network_pixels(picture, notes=None):
    """Resize an RGB picture to the network's 64x64 with `RESAMPLING`.

    Args:
        picture: a PIL image (any mode; converted with `to_rgb` first).
        notes: optional list of notes to append to.

    Returns:
        uint8 (64, 64, 3).
    """
    picture = to_rgb(picture, notes)
    size = (IMAGE_SIZE, IMAGE_SIZE)
    if picture.size != size:
        # The whole picture, not a crop: a non-square photo is squeezed.
        picture = picture.resize(size, RESAMPLING)
        if notes is not None:
            notes.append(f"resized to {IMAGE_SIZE}x{IMAGE_SIZE} ({RESAMPLING.name.lower()})")
    return np.array(picture, dtype=np.uint8)


def _read(path, name):
    """Open, fully decode and orient an image file; every failure as one ImageError.

    `name` is the path as the caller spelled it, for the messages.
    """
    if not path.exists():
        raise ImageError(f"{name}: no such file")
    if path.is_dir():
        raise ImageError(f"{name}: is a directory, expected an image file")
    try:
        size = path.stat().st_size
        stream = open(path, "rb")
    except OSError as error:
        raise ImageError(f"{name}: cannot read ({error.strerror or error})") from None
    with stream:
        if size == 0:
            raise ImageError(f"{name}: empty file, expected an image")
        notes = []
        try:
            with warnings.catch_warnings():
                # Pillow warns between 1x and 2x Image.MAX_IMAGE_PIXELS (above
                # MAX_PIXELS by default: such an image is refused just below);
                # no warning text on stderr beside the error line.
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                picture = Image.open(stream)
            # Image.open read the header only; refuse before anything is decoded.
            if picture.width * picture.height > MAX_PIXELS:
                raise ImageError(
                    f"{name}: image too large ({picture.width}x{picture.height} = {picture.width * picture.height:,} pixels; "
                    f"tfsigns reads at most {MAX_PIXELS:,})"
                )
            source = f"{picture.format or 'image'} {picture.width}x{picture.height} {picture.mode}"
            if getattr(picture, "n_frames", 1) > 1:
                picture.seek(0)
                notes.append(f"first of {picture.n_frames} frames")
            # load() decodes everything now; with ImageFile.LOAD_TRUNCATED_IMAGES
            # left False a truncated file raises here instead of giving grey pixels.
            picture.load()
            orientation = _orientation(picture)
            oriented = ImageOps.exif_transpose(picture)
        except Image.DecompressionBombError as error:
            raise ImageError(f"{name}: {_bomb_message(error)}") from None
        except UnidentifiedImageError:
            raise ImageError(f"{name}: not an image Pillow can read") from None
        except MemoryError:
            raise ImageError(f"{name}: not enough memory to decode this image") from None
        except _DECODE_ERRORS as error:
            detail = str(error) or type(error).__name__
            if "truncated" in detail:
                raise ImageError(f"{name}: truncated image ({detail})") from None
            raise ImageError(f"{name}: corrupt image ({detail})") from None
    if orientation not in (None, 1):
        notes.insert(0, f"EXIF orientation {orientation} applied")
    return oriented, source, notes


def _orientation(picture):
    try:
        return picture.getexif().get(0x0112)  # EXIF Orientation tag
    except _DECODE_ERRORS:
        return None


def _bomb_message(error):
    """Pillow's DecompressionBombError, worded as the MAX_PIXELS refusal.

    Image.open itself refuses above 2 x Image.MAX_IMAGE_PIXELS, before the
    MAX_PIXELS check can run, and its error names no width or height. By
    default only images over ~179 megapixels end here; smaller ones too when a
    caller lowered Image.MAX_IMAGE_PIXELS, so the limit stated is the lower one.
    """
    limit = min(MAX_PIXELS, 2 * Image.MAX_IMAGE_PIXELS)
    match = re.search(r"\((\d+) pixels\)", str(error))
    pixels = f"{int(match.group(1)):,} pixels" if match else "too many pixels"
    return f"image too large ({pixels}; tfsigns reads at most {limit:,})"
