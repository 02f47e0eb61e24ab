"""Reading one's own image: formats, modes, orientation, resize, and the data set's preprocessing."""
import struct
import zlib

import h5py
import numpy as np
import pytest
from PIL import Image

from tfsigns import images
from tfsigns.errors import ImageError
from tfsigns.tf_utils import flatten_images


def _random_pixels(seed, height=64, width=64):
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def test_png_of_a_data_set_image_gives_the_data_sets_input_vector(shared_signs, tmp_path):
    with h5py.File(shared_signs / "test_signs.h5", "r") as h5:
        test_x = h5["test_set_x"][:5]  # uint8 (5, 64, 64, 3)
    expected_X = flatten_images(test_x)  # (12288, 5), the course's preprocessing
    for i in range(len(test_x)):
        path = tmp_path / f"{i}.png"
        Image.fromarray(test_x[i]).save(path)
        prepared = images.load_image(path)
        assert prepared.X.shape == (12288, 1)
        np.testing.assert_array_equal(prepared.pixels, test_x[i])
        np.testing.assert_array_equal(prepared.X[:, 0], expected_X[:, i])  # exactly, not approximately


def test_preprocess_is_flatten_images_scaled_by_1_over_255():
    pixels = _random_pixels(0)[np.newaxis]
    X = images.preprocess(pixels)
    assert X.shape == (12288, 1) and X.dtype == np.float64
    # Column-major example layout of the course: X[k] is pixels.reshape(-1)[k] / 255.
    np.testing.assert_array_equal(X[:, 0], pixels.reshape(-1) / 255.0)


def test_preprocess_rejects_wrong_shape_and_dtype():
    with pytest.raises(ValueError, match=r"expected uint8 \(m, 64, 64, 3\), received float64 \(1, 64, 64, 3\)"):
        images.preprocess(np.zeros((1, 64, 64, 3)))


def test_large_photo_is_resized_with_lanczos(tmp_path):
    pixels = _random_pixels(1, 300, 200)
    path = tmp_path / "photo.png"
    Image.fromarray(pixels).save(path)
    prepared = images.load_image(path)
    want = np.asarray(Image.fromarray(pixels).resize((64, 64), Image.Resampling.LANCZOS))
    np.testing.assert_array_equal(prepared.pixels, want)
    assert prepared.source == "PNG 200x300 RGB"
    assert prepared.notes == ["resized to 64x64 (lanczos)"]
    assert max(prepared.display.size) <= images.DISPLAY_SIZE


def test_real_phone_photo_is_read(shared_images):
    prepared = images.load_image(shared_images / "thumbs_up.jpg")
    assert prepared.source == "JPEG 3024x3024 RGB"
    assert prepared.pixels.shape == (64, 64, 3) and prepared.pixels.dtype == np.uint8
    assert prepared.display.size == (images.DISPLAY_SIZE, images.DISPLAY_SIZE)
    assert 0.0 <= prepared.X.min() and prepared.X.max() <= 1.0


def test_rgba_is_composited_over_white(tmp_path):
    rgb = _random_pixels(2)
    alpha = np.zeros((64, 64), dtype=np.uint8)
    alpha[:32] = 255  # top half opaque
    alpha[32:48] = 0  # fully transparent: white
    alpha[48:] = 128
    path = tmp_path / "rgba.png"
    Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(path)
    prepared = images.load_image(path)
    np.testing.assert_array_equal(prepared.pixels[:32], rgb[:32])
    np.testing.assert_array_equal(prepared.pixels[32:48], 255)
    # Pillow's alpha_composite: rgb * 128/255 + 255 * 127/255, within rounding.
    blended = rgb[48:] * (128 / 255) + 255 * (127 / 255)
    np.testing.assert_allclose(prepared.pixels[48:], blended, atol=1.0)
    assert prepared.notes == ["transparent pixels composited over white"]


def test_opaque_rgba_gives_the_same_pixels_and_no_note(tmp_path):
    rgb = _random_pixels(3)
    path = tmp_path / "opaque.png"
    Image.fromarray(np.dstack([rgb, np.full((64, 64), 255, np.uint8)]), "RGBA").save(path)
    prepared = images.load_image(path)
    np.testing.assert_array_equal(prepared.pixels, rgb)
    assert prepared.notes == []


def test_grayscale_la_and_palette_become_rgb(tmp_path):
    gray = _random_pixels(4)[..., 0]
    Image.fromarray(gray, "L").save(tmp_path / "gray.png")
    np.testing.assert_array_equal(images.load_image(tmp_path / "gray.png").pixels, np.dstack([gray] * 3))

    Image.fromarray(np.dstack([gray, np.full_like(gray, 255)]), "LA").save(tmp_path / "la.png")
    np.testing.assert_array_equal(images.load_image(tmp_path / "la.png").pixels, np.dstack([gray] * 3))

    palette_image = Image.fromarray(_random_pixels(5)).convert("P")
    palette_image.save(tmp_path / "palette.gif")
    want = np.asarray(palette_image.convert("RGB"))
    np.testing.assert_array_equal(images.load_image(tmp_path / "palette.gif").pixels, want)


def test_palette_with_transparent_colour_is_composited_over_white(tmp_path):
    indices = np.zeros((64, 64), dtype=np.uint8)
    indices[:, 32:] = 1
    picture = Image.fromarray(indices, "P")
    picture.putpalette([10, 20, 30, 200, 100, 50] + [0] * 762)
    picture.save(tmp_path / "transparent.png", transparency=0)
    prepared = images.load_image(tmp_path / "transparent.png")
    np.testing.assert_array_equal(prepared.pixels[:, :32], 255)
    np.testing.assert_array_equal(prepared.pixels[:, 32:], np.broadcast_to([200, 100, 50], (64, 32, 3)))
    assert prepared.notes == ["transparent pixels composited over white"]


def test_cmyk_jpeg_becomes_rgb(tmp_path):
    cmyk = Image.fromarray(_random_pixels(6)).convert("CMYK")
    cmyk.save(tmp_path / "cmyk.jpg", quality=95)
    prepared = images.load_image(tmp_path / "cmyk.jpg")
    with Image.open(tmp_path / "cmyk.jpg") as reread:
        want = np.asarray(reread.convert("RGB"))
    np.testing.assert_array_equal(prepared.pixels, want)
    assert prepared.source == "JPEG 64x64 CMYK"
    assert prepared.notes == ["CMYK converted to RGB (Pillow's conversion, no colour profile)"]


def test_16_bit_grayscale_is_scaled_not_clipped(tmp_path):
    gray = _random_pixels(7)[..., 0]
    Image.fromarray(gray.astype(np.uint16) * 257).save(tmp_path / "gray16.png")  # 0..65535
    prepared = images.load_image(tmp_path / "gray16.png")
    # Pillow's own convert("RGB") would clip everything above 255: a white picture.
    np.testing.assert_array_equal(prepared.pixels, np.dstack([gray] * 3))
    assert prepared.notes == ["16-bit grayscale (I;16) scaled to 8 bits (/257)"]


def test_lossless_webp_is_read_exactly(tmp_path):
    pixels = _random_pixels(8)
    Image.fromarray(pixels).save(tmp_path / "image.webp", lossless=True)
    np.testing.assert_array_equal(images.load_image(tmp_path / "image.webp").pixels, pixels)


@pytest.mark.parametrize(
    "orientation, rotate",
    [(3, lambda a: np.rot90(a, 2)), (6, lambda a: np.rot90(a, -1)), (8, lambda a: np.rot90(a, 1))],
)
def test_exif_orientation_is_applied(tmp_path, orientation, rotate):
    pixels = _random_pixels(9)
    picture = Image.fromarray(pixels)
    exif = picture.getexif()
    exif[0x0112] = orientation
    path = tmp_path / "rotated.png"
    picture.save(path, exif=exif)
    prepared = images.load_image(path)
    np.testing.assert_array_equal(prepared.pixels, rotate(pixels))
    assert prepared.notes == [f"EXIF orientation {orientation} applied"]


def test_first_frame_of_an_animation_is_used(tmp_path):
    frames = [Image.fromarray(np.full((64, 64, 3), value, np.uint8)) for value in (30, 200)]
    frames[0].save(tmp_path / "animated.gif", save_all=True, append_images=frames[1:])
    prepared = images.load_image(tmp_path / "animated.gif")
    np.testing.assert_array_equal(prepared.pixels, 30)
    assert prepared.notes == ["first of 2 frames"]


# Bad input: one ImageError line naming the file ---------------------------


def _png_declaring_size(width, height):
    """A tiny PNG whose header declares width x height (its pixel data is never decoded)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b"")


def _truncated_png(path):
    Image.fromarray(_random_pixels(10)).save(path)  # noise: ~12 kB that does not compress
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def test_missing_file_is_one_error(tmp_path):
    with pytest.raises(ImageError) as caught:
        images.load_image(tmp_path / "nope.jpg")
    assert str(caught.value) == f"{tmp_path / 'nope.jpg'}: no such file"


def test_directory_is_one_error(tmp_path):
    with pytest.raises(ImageError) as caught:
        images.load_image(tmp_path)
    assert str(caught.value) == f"{tmp_path}: is a directory, expected an image file"


def test_non_image_file_is_one_error(tmp_path):
    path = tmp_path / "notes.jpg"
    path.write_text("not a picture\n")
    with pytest.raises(ImageError) as caught:
        images.load_image(path)
    assert str(caught.value) == f"{path}: not an image Pillow can read"


def test_empty_file_is_one_error(tmp_path):
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(ImageError) as caught:
        images.load_image(path)
    assert str(caught.value) == f"{path}: empty file, expected an image"


def test_truncated_image_is_an_error_not_grey_pixels(tmp_path):
    path = tmp_path / "cut.png"
    _truncated_png(path)
    with pytest.raises(ImageError) as caught:
        images.load_image(path)
    assert str(caught.value) == f"{path}: truncated image (image file is truncated)"


def test_image_over_max_pixels_is_refused_before_decoding(tmp_path):
    path = tmp_path / "huge.png"
    path.write_bytes(_png_declaring_size(8000, 8000))  # 64 megapixels declared, 1 byte of pixel data
    with pytest.raises(ImageError) as caught:
        images.load_image(path)
    # Decoding would have failed as a truncated image: the header alone was enough.
    assert str(caught.value) == f"{path}: image too large (8000x8000 = 64,000,000 pixels; tfsigns reads at most 50,000,000)"


def test_max_pixels_itself_is_allowed_one_more_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 64 * 64)
    allowed, refused = tmp_path / "64x64.png", tmp_path / "65x64.png"
    Image.fromarray(_random_pixels(13)).save(allowed)
    Image.fromarray(_random_pixels(14, 64, 65)).save(refused)
    assert images.load_image(allowed).pixels.shape == (64, 64, 3)
    with pytest.raises(ImageError) as caught:
        images.load_image(refused)
    assert str(caught.value) == f"{refused}: image too large (65x64 = 4,160 pixels; tfsigns reads at most 4,096)"


def test_image_over_pillows_warning_size_is_refused_with_no_warning(tmp_path, recwarn):
    path = tmp_path / "huge.png"
    path.write_bytes(_png_declaring_size(10_000, 10_000))  # over Image.MAX_IMAGE_PIXELS: Pillow warns
    assert Image.MAX_IMAGE_PIXELS < 100_000_000 < 2 * Image.MAX_IMAGE_PIXELS
    with pytest.raises(ImageError) as caught:
        images.load_image(path)
    assert str(caught.value) == f"{path}: image too large (10000x10000 = 100,000,000 pixels; tfsigns reads at most 50,000,000)"
    assert len(recwarn) == 0  # no warning text on stderr beside the error line


def test_decompression_bomb_over_pillows_default_limit_is_refused(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_declaring_size(20_000, 20_000))  # 400 megapixels declared in 70 bytes
    assert path.stat().st_size < 100
    with pytest.raises(ImageError) as caught:
        images.load_image(path)
    # Image.open refuses this one itself, before tfsigns sees the width and height.
    assert str(caught.value) == f"{path}: image too large (400,000,000 pixels; tfsigns reads at most 50,000,000)"


def test_decompression_bomb_limit_follows_image_max_pixels(tmp_path, monkeypatch):
    path = tmp_path / "small.png"
    Image.fromarray(_random_pixels(11)).save(path)  # 4096 pixels
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # refused above 2000
    with pytest.raises(ImageError) as caught:
        images.load_image(path)
    assert str(caught.value) == f"{path}: image too large (4,096 pixels; tfsigns reads at most 2,000)"


def test_between_one_and_two_times_a_lowered_pillow_limit_the_image_is_read_with_no_warning(tmp_path, monkeypatch, recwarn):
    path = tmp_path / "large.png"
    pixels = _random_pixels(12)
    Image.fromarray(pixels).save(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 3000)  # 4096 is over 1x, under 2x: Pillow only warns
    prepared = images.load_image(path)
    np.testing.assert_array_equal(prepared.pixels, pixels)
    assert prepared.notes == []
    assert len(recwarn) == 0  # no warning text on stderr
