"""The embedded default data: a SIGNS-like set that tfsigns draws itself.

When the course's h5 files are not at hand, tfsigns still runs on this: 64x64
RGB pictures of a drawn hand raising 0 to 5 fingers against a light wall, in
the course's h5 schema (`train_set_x` uint8 (1080, 64, 64, 3), `train_set_y`
int64 (1080,), `list_classes` int64 [0..5]; the test file likewise with 120
images). It is not the course's data, and results on it are not the
published ones.

Drawing: each hand is a union of signed-distance shapes (forearm and finger
capsules, a palm ellipse), evaluated on the pixel grid for a whole batch of
images at once. Edges are antialiased by a linear coverage ramp over one or
two pixels, and each part is darker towards its outline so that touching
fingers stay countable. Every image varies pose (rotation, position, size,
handedness), skin tone, finger lengths and widths, which digits are raised
(a "2" is index+middle or thumb+index, ...), wall tint, lighting gradient,
shadow, edge softness and pixel noise. The order is shuffled: the reference
network's ReLUs die on data sorted by class.

Determinism: all randomness comes from `numpy.random.default_rng` seeded from
`(seed, split)` and is drawn before any pixel is computed; per-pixel work uses
only +, -, *, / and sqrt in float32 (correctly rounded everywhere) and the
few angles go through `math.cos`/`math.sin`, so the bytes do not depend on
the CPU's SIMD paths or on thread counts. Bump `GENERATOR_VERSION` whenever
the output changes: the cache folder is named after it.
"""
import math
import os
import tempfile
from pathlib import Path

import h5py
import numpy as np

GENERATOR_VERSION = 1

IMAGE_SIZE = 64
N_CLASSES = 6

# Which digits are raised for each count, as (thumb, index, middle, ring,
# pinky) masks with their probabilities: people sign the same count in
# different ways, and the network must count fingers, not match one pose.
_POSES = {
    0: [((0, 0, 0, 0, 0), 1.0)],
    1: [((0, 1, 0, 0, 0), 0.8), ((1, 0, 0, 0, 0), 0.2)],
    2: [((0, 1, 1, 0, 0), 0.7), ((1, 1, 0, 0, 0), 0.3)],
    3: [((0, 1, 1, 1, 0), 0.45), ((1, 1, 1, 0, 0), 0.4), ((0, 0, 1, 1, 1), 0.15)],
    4: [((0, 1, 1, 1, 1), 0.85), ((1, 1, 1, 1, 0), 0.15)],
    5: [((1, 1, 1, 1, 1), 1.0)],
}

# Hand geometry in palm units (1.0 = palm half-width), u towards the pinky,
# v towards the fingertips. Fingers: index, middle, ring, pinky.
_FINGER_BASE_U = np.array([-0.62, -0.20, 0.22, 0.62])
_FINGER_BASE_V = 0.78
_FINGER_LENGTH = np.array([1.50, 1.68, 1.58, 1.25])
_FINGER_RADIUS = np.array([0.22, 0.23, 0.22, 0.19])
_FINGER_ANGLE = np.array([-0.16, -0.05, 0.06, 0.18])  # radians from v, fanned out
_THUMB_BASE = (-0.80, -0.25)

# Skin tones (RGB) the tone parameter interpolates between, light to dark.
_SKIN_LIGHT = np.array([238.0, 196.0, 168.0])
_SKIN_DARK = np.array([125.0, 84.0, 58.0])

_BATCH = 200  # images rasterised at once: (200, 64, 64) float32 is 3 MB per array


def generate(seed=0, n_train_per_class=180, n_test_per_class=20):
    """Draw the embedded default data set.

    Args:
        seed: integer seed; the same seed gives the same bytes. Defaults to `0`.
        n_train_per_class: training images per class. Defaults to `180` (the
            course's 1080 in all).
        n_test_per_class: test images per class. Defaults to `20` (120 in all).

    Returns:
        A dict with the h5 files' keys: `train_set_x` uint8
        (6 * n_train_per_class, 64, 64, 3), `train_set_y` int64 (m_train,),
        `test_set_x` uint8 (m_test, 64, 64, 3), `test_set_y` int64 (m_test,),
        `list_classes` int64 [0 1 2 3 4 5].
    """
    # Separate streams per split, so changing one count leaves the other split alone.
    train_x, train_y = _draw_split(np.random.default_rng([seed, 0]), n_train_per_class)
    test_x, test_y = _draw_split(np.random.default_rng([seed, 1]), n_test_per_class)
    return {
        "train_set_x": train_x,
        "train_set_y": train_y,
        "test_set_x": test_x,
        "test_set_y": test_y,
        "list_classes": np.arange(N_CLASSES, dtype=np.int64),
    }


def write_h5(directory, seed=0):
    """Generate the data set and write `train_signs.h5` and `test_signs.h5` into `directory`.

    Each file is written under a temporary name in the same folder and moved
    into place with `os.replace`, so a reader never sees a half-written file.
    Datasets are gzip-compressed; file attributes record the generator.

    Args:
        directory: folder to write into (created if missing).
        seed: see `generate`. Defaults to `0`.

    Returns:
        `(train_path, test_path)`.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    arrays = generate(seed)
    paths = []
    for split, filename in (("train", "train_signs.h5"), ("test", "test_signs.h5")):
        path = directory / filename
        datasets = {
            f"{split}_set_x": arrays[f"{split}_set_x"],
            f"{split}_set_y": arrays[f"{split}_set_y"],
            "list_classes": arrays["list_classes"],
        }
        _write_h5_atomically(path, datasets, seed)
        paths.append(path)
    return tuple(paths)


def _write_h5_atomically(path, datasets, seed):
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        with h5py.File(temp_name, "w") as h5:
            h5.attrs["source"] = "embedded default: generated by tfsigns, not the course's data"
            h5.attrs["generator_version"] = GENERATOR_VERSION
            h5.attrs["seed"] = seed
            for key, array in datasets.items():
                # track_times=False keeps the bytes free of creation times.
                h5.create_dataset(key, data=array, compression="gzip", track_times=False)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------
# Random parameters (drawn first, all of them, in a fixed order)


def _draw_split(rng, n_per_class):
    """Labels and images of one split: x uint8 (m, 64, 64, 3), y int64 (m,)."""
    m = N_CLASSES * n_per_class
    labels = rng.permutation(np.repeat(np.arange(N_CLASSES, dtype=np.int64), n_per_class))
    params = _draw_params(rng, labels)
    noise_sigma = rng.uniform(2.0, 5.0, m).astype(np.float32)
    images = np.empty((m, IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.uint8)
    for start in range(0, m, _BATCH):
        stop = min(start + _BATCH, m)
        batch = {key: value[start:stop] for key, value in params.items()}
        picture = _render(batch)  # (b, 64, 64, 3) float32, 0..255
        noise = rng.standard_normal(picture.shape, dtype=np.float32)
        picture += noise * noise_sigma[start:stop, None, None, None]
        images[start:stop] = np.rint(np.clip(picture, 0.0, 255.0)).astype(np.uint8)
    return images, labels


def _draw_params(rng, labels):
    """Every random choice for `len(labels)` images, as arrays with a leading (m,) axis."""
    m = len(labels)
    uniform = lambda low, high, shape=(): rng.uniform(low, high, (m, *shape))

    # Raised digits: one pose per image among those of its class.
    raised = np.zeros((m, 5), dtype=bool)
    pick = rng.random(m)
    for label in range(N_CLASSES):
        edges = np.cumsum([probability for _, probability in _POSES[label]])
        choice = np.minimum(np.searchsorted(edges, pick, side="right"), len(edges) - 1)
        masks = np.array([mask for mask, _ in _POSES[label]], dtype=bool)
        raised[labels == label] = masks[choice[labels == label]]

    p = {"raised": raised}
    # Pose: palm centre in pixels, tilt of the hand, forearm bend, size, handedness.
    p["centre"] = np.stack([uniform(25.0, 39.0), uniform(33.0, 42.0)], axis=1)
    p["tilt"] = uniform(-0.35, 0.35)  # radians, 0 = fingers straight up
    p["bend"] = uniform(-0.25, 0.25)  # forearm direction relative to the hand
    p["scale"] = uniform(10.0, 13.0)  # palm half-width in pixels
    p["mirror"] = np.where(rng.random(m) < 0.5, -1.0, 1.0)  # left or right hand
    p["palm_aspect"] = uniform(0.95, 1.25)  # palm half-height / half-width
    # Fingers: shared spread and length factor, then each finger's own jitter.
    p["spread"] = uniform(0.4, 1.8)
    p["finger_angle"] = _FINGER_ANGLE * p["spread"][:, None] + uniform(-0.08, 0.08, (4,))
    p["finger_length"] = _FINGER_LENGTH * uniform(0.85, 1.15)[:, None] * uniform(0.92, 1.08, (4,))
    p["finger_radius"] = _FINGER_RADIUS * uniform(0.85, 1.2)[:, None] * uniform(0.93, 1.07, (4,))
    p["fold_length"] = uniform(0.25, 0.45, (4,))  # how far a folded finger's knuckle shows
    p["thumb_angle"] = uniform(0.8, 1.35)  # radians away from the fingers when raised
    p["thumb_length"] = uniform(1.05, 1.4)
    p["thumb_radius"] = uniform(0.25, 0.32)
    p["thumb_fold_reach"] = uniform(0.0, 0.45)  # folded thumb: how far across the palm
    # Colours and light.
    tone = uniform(0.0, 1.0)
    tone = tone * np.sqrt(tone)  # tone ** 1.5 (sqrt is exact everywhere): more light tones, like the photos
    skin = _SKIN_LIGHT + (_SKIN_DARK - _SKIN_LIGHT) * tone[:, None]
    p["skin"] = skin * uniform(0.94, 1.06, (3,))
    wall = uniform(212.0, 240.0)
    p["wall"] = wall[:, None] + uniform(-7.0, 7.0, (3,))  # grey with a warm or cool tint
    light_angle = uniform(0.0, 2.0 * math.pi)
    p["light_dir"] = np.stack(_cos_sin(light_angle), axis=1)
    p["light_strength"] = uniform(0.0, 0.15)  # brightness change across the picture
    p["shadow_offset"] = uniform(1.0, 4.0, (2,)) * np.where(rng.random((m, 2)) < 0.5, -1.0, 1.0)
    p["shadow_strength"] = uniform(0.08, 0.3)
    p["edge_width"] = uniform(0.9, 2.0)  # pixels; wider = softer, out of focus
    return p


def _cos_sin(angles):
    # math.cos/sin rather than np.cos/sin: NumPy may take different SIMD
    # paths (last-ulp differences) on different CPUs.
    cos = np.array([math.cos(a) for a in angles])
    sin = np.array([math.sin(a) for a in angles])
    return cos, sin


# ---------------------------------------------------------------------------
# Rasterisation


def _render(p):
    """Draw one batch of hands: params with leading (b,) axis -> float32 (b, 64, 64, 3) in 0..255."""
    b = len(p["tilt"])
    f32 = lambda a: np.asarray(a, dtype=np.float32)

    # Hand frame in image coordinates (y points down): `up` along the fingers,
    # `side` towards the pinky (mirrored for the other hand). Shapes (b, 2).
    cos_t, sin_t = _cos_sin(p["tilt"])
    up = np.stack([sin_t, -cos_t], axis=1)
    side = np.stack([cos_t, sin_t], axis=1) * p["mirror"][:, None]
    scale = p["scale"][:, None]
    centre = p["centre"]

    def to_image(u, v):
        """Palm units (b,) or (b, k) -> pixel coordinates (b, [k,] 2)."""
        u, v = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
        extra = (slice(None),) + (None,) * (u.ndim - 1)
        return (centre[extra] + scale[extra] * (u[..., None] * side[extra] + v[..., None] * up[extra]))

    def direction(angle):
        """Unit vector in palm units for an angle from `v` towards `u`: (u, v) arrays."""
        flat = np.asarray(angle, dtype=float).ravel()
        cos_a, sin_a = _cos_sin(flat)
        return sin_a.reshape(np.shape(angle)), cos_a.reshape(np.shape(angle))

    parts = []  # (kind, geometry, shade) in drawing order, back to front

    # Forearm: from inside the palm down and out of the picture.
    bend_u, bend_v = direction(p["bend"])
    wrist = to_image(np.zeros(b), np.full(b, -0.4))
    elbow = to_image(-6.0 * bend_u, -6.0 * bend_v)
    arm_radius = 0.68 * p["scale"]
    parts.append(("capsule", (wrist, elbow, arm_radius, arm_radius), np.full(b, 0.93)))

    # Palm: an ellipse in the hand frame.
    parts.append(("ellipse", (centre, up, side, p["scale"], p["scale"] * p["palm_aspect"]), np.ones(b)))

    raised = p["raised"]
    # Fingers (index..pinky): raised ones fan out from the top of the palm;
    # folded ones show as knuckles bent down over the palm, in shade.
    base_u = np.broadcast_to(_FINGER_BASE_U, (b, 4))
    base_v = np.full((b, 4), _FINGER_BASE_V)
    dir_u, dir_v = direction(p["finger_angle"])
    length = np.where(raised[:, 1:], p["finger_length"], p["fold_length"])
    tip_u = np.where(raised[:, 1:], base_u + length * dir_u, base_u * 0.92)
    tip_v = np.where(raised[:, 1:], base_v + length * dir_v, base_v - length)
    start = to_image(base_u, base_v)
    tip = to_image(tip_u, tip_v)
    radius = p["finger_radius"] * p["scale"][:, None]
    radius = np.where(raised[:, 1:], radius, radius * 1.1)
    shade = np.where(raised[:, 1:], 1.0, 0.84)
    # Folded first, so raised fingers lie on top of the knuckles next to them:
    # per image, the fingers in a stable order with folded ones first.
    order = np.argsort(raised[:, 1:], axis=1, kind="stable")  # (b, 4)
    rows = np.arange(b)[:, None]
    start, tip, radius, shade = start[rows, order], tip[rows, order], radius[rows, order], shade[rows, order]
    for k in range(4):
        parts.append(("capsule", (start[:, k], tip[:, k], radius[:, k], 0.85 * radius[:, k]), shade[:, k]))

    # Thumb: raised out sideways, or folded across the front of the palm.
    thumb_up = raised[:, 0]
    t_dir_u, t_dir_v = direction(-p["thumb_angle"])
    thumb_base = to_image(np.full(b, _THUMB_BASE[0]), np.full(b, _THUMB_BASE[1]))
    thumb_tip = np.where(
        thumb_up[:, None],
        to_image(_THUMB_BASE[0] + p["thumb_length"] * t_dir_u, _THUMB_BASE[1] + p["thumb_length"] * t_dir_v),
        to_image(-0.1 + p["thumb_fold_reach"], 0.15 + 0.2 * p["thumb_fold_reach"]),
    )
    thumb_radius = p["thumb_radius"] * p["scale"]
    parts.append(("capsule", (thumb_base, thumb_tip, thumb_radius, 0.85 * thumb_radius), np.where(thumb_up, 1.0, 0.97)))

    # Pixel centres: px, py (1, 64, 64), broadcast against per-image (b, 1, 1) values.
    grid = np.arange(IMAGE_SIZE, dtype=np.float32) + np.float32(0.5)
    py, px = (axis[None] for axis in np.meshgrid(grid, grid, indexing="ij"))
    col = lambda a: f32(a)[:, None, None]  # per-image scalar (b,) -> (b, 1, 1)
    edge = col(p["edge_width"])

    # Lighting: a linear brightness gradient across the whole picture.
    centred_x, centred_y = px - np.float32(32.0), py - np.float32(32.0)
    light = np.float32(1.0) + col(p["light_strength"]) * (
        centred_x * col(p["light_dir"][:, 0]) + centred_y * col(p["light_dir"][:, 1])
    ) / np.float32(32.0)  # (b, 64, 64)

    # Wall, then the hand's soft shadow on it: the union of all parts moved by
    # the shadow offset, with a wide coverage ramp.
    shift_x, shift_y = col(p["shadow_offset"][:, 0]), col(p["shadow_offset"][:, 1])
    union = None
    for kind, geometry, _ in parts:
        distance, _ = _distance(kind, geometry, px - shift_x, py - shift_y)
        union = distance if union is None else np.minimum(union, distance)
    shadow = np.clip(np.float32(0.5) - union / np.float32(5.0), 0.0, 1.0) * col(p["shadow_strength"])
    wall = f32(p["wall"])[:, None, None, :] * (np.float32(1.0) - shadow)[..., None]
    picture = wall * light[..., None]

    # The hand, back to front: each part is skin times its shade, darker
    # towards its outline (rounded look, and visible gaps between fingers).
    skin = f32(p["skin"])[:, None, None, :]
    for kind, geometry, shade_part in parts:
        distance, depth = _distance(kind, geometry, px, py)
        coverage = np.clip(np.float32(0.5) - distance / edge, 0.0, 1.0)
        rim = np.float32(0.72) + np.float32(0.28) * np.sqrt(np.clip(-distance / depth, 0.0, 1.0))
        colour = skin * (col(shade_part) * rim * light)[..., None]
        alpha = coverage[..., None]
        picture = picture * (np.float32(1.0) - alpha) + colour * alpha
    return picture


def _distance(kind, geometry, px, py):
    """Signed distance in pixels (negative inside) of one part, and the depth its shading spans.

    Returns float32 arrays of shape (b, 64, 64) and a broadcastable depth.
    """
    f32 = lambda a: np.asarray(a, dtype=np.float32)
    col = lambda a: f32(a)[:, None, None]
    if kind == "capsule":
        # Tapered capsule from a (radius ra) to b (radius rb): distance to the
        # segment minus the radius interpolated along it.
        a, b, ra, rb = geometry
        ax, ay, bx, by = col(a[:, 0]), col(a[:, 1]), col(b[:, 0]), col(b[:, 1])
        dx, dy = bx - ax, by - ay
        length2 = np.maximum(dx * dx + dy * dy, np.float32(1e-6))
        qx, qy = px - ax, py - ay
        h = np.clip((qx * dx + qy * dy) / length2, 0.0, 1.0)
        ex, ey = qx - dx * h, qy - dy * h
        radius = col(ra) + (col(rb) - col(ra)) * h
        return np.sqrt(ex * ex + ey * ey) - radius, radius
    # Ellipse with semi-axes (half_width along `side`, half_height along `up`):
    # the scaled radial distance, exact on the axes, close enough elsewhere.
    centre, up, side, half_width, half_height = geometry
    qx, qy = px - col(centre[:, 0]), py - col(centre[:, 1])
    u = (qx * col(side[:, 0]) + qy * col(side[:, 1])) / col(half_width)
    v = (qx * col(up[:, 0]) + qy * col(up[:, 1])) / col(half_height)
    smaller = col(np.minimum(half_width, half_height))
    return (np.sqrt(u * u + v * v) - np.float32(1.0)) * smaller, smaller * np.float32(0.8)
