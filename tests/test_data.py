"""Tests of tinygrad_edu.data: the bundled files, the MNIST, Nielsen-pickle and 32×32-digit loaders
with every corruption they must report, and the mini-batch iterator."""

import ast
import doctest
import gzip
import hashlib
import importlib
import io
import pickle
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu.data as data
from tinygrad_edu.data import (
    SHA256,
    DataError,
    batches,
    load_digits32,
    load_mnist,
    load_nielsen_pkl,
    read_idx,
)
from tinygrad_edu.data.dataset import FILES

PACKAGE = Path(data.__file__).parent
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


# --- the bundled files and the package's boundaries -------------------------------------------


def test_bundled_files_match_their_sha256():
    bundled = {p.name for p in FILES.iterdir() if p.suffix in (".gz", ".zip")}
    assert bundled == set(SHA256)
    for name, digest in SHA256.items():
        assert hashlib.sha256((FILES / name).read_bytes()).hexdigest() == digest, name


def test_data_imports_numpy_and_the_standard_library_only():
    for path in PACKAGE.glob("*.py"):
        source = path.read_text()
        assert "shared" not in source, f"{path.name} mentions shared/: bundle the file instead"
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level == 1:  # a sibling module inside tinygrad_edu/data
                    continue
                names = ["." * node.level + (node.module or "")]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                ok = top == "numpy" or top in sys.stdlib_module_names
                assert ok or name.startswith("tinygrad_edu.data"), f"{path.name} imports {name}"


@pytest.mark.parametrize("module", ["dataset", "mnist", "digits32", "batches"])
def test_docstring_examples_run(module):
    mod = importlib.import_module(f"tinygrad_edu.data.{module}")  # data.batches is the function
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# --- MNIST from the bundled IDX files ----------------------------------------------------------


def test_mnist_shapes_dtypes_ranges_and_class_counts():
    ds = load_mnist()
    assert ds.validation is None
    assert (ds.train.X.shape, ds.train.y.shape) == ((60000, 784), (60000,))
    assert (ds.test.X.shape, ds.test.y.shape) == ((10000, 784), (10000,))
    for X, y in (ds.train, ds.test):
        assert X.dtype == np.float32 and y.dtype == np.int64
        assert X.min() == 0.0 and X.max() == 1.0
    assert np.bincount(ds.train.y).tolist() == TRAIN_COUNTS
    assert ds.train.y[:5].tolist() == [5, 0, 4, 1, 9]
    assert ds.test.y[:5].tolist() == [7, 2, 1, 0, 4]


def test_mnist_raw_pixels_and_images():
    raw = load_mnist(normalize=False, flatten=False)
    assert raw.train.X.shape == (60000, 28, 28) and raw.train.X.dtype == np.uint8
    assert raw.test.X.max() == 255
    scaled = load_mnist(dtype="float64")
    assert scaled.test.X.dtype == np.float64
    np.testing.assert_allclose(scaled.test.X, raw.test.X.reshape(10000, 784) / 255)
    with pytest.raises(ValueError, match="float dtype"):
        load_mnist(dtype="int32")


def test_mnist_validation_is_the_end_of_the_training_file():
    full, ds = load_mnist(), load_mnist(validation=10000)
    assert (len(ds.train), len(ds.validation), len(ds.test)) == (50000, 10000, 10000)
    np.testing.assert_array_equal(ds.train.X, full.train.X[:50000])
    np.testing.assert_array_equal(ds.validation.y, full.train.y[50000:])
    for bad in (-1, 60000):
        with pytest.raises(ValueError, match="validation"):
            load_mnist(validation=bad)
    with pytest.raises(TypeError):
        load_mnist(validation=0.2)


def test_mnist_one_hot():
    ds, plain = load_mnist(one_hot=True, dtype="float64"), load_mnist()
    assert ds.train.y.shape == (60000, 10) and ds.train.y.dtype == np.float64
    assert (ds.train.y.sum(axis=1) == 1).all()
    np.testing.assert_array_equal(ds.train.y.argmax(axis=1), plain.train.y)


def test_callers_cannot_corrupt_the_cache():
    first = load_mnist(normalize=False)
    X, y = first.test
    X[:] = 0
    y[:] = 0
    second = load_mnist(normalize=False)
    assert second.test.X.max() == 255 and second.test.y[0] == 7
    labels = read_idx(FILES / "t10k-labels-idx1-ubyte.gz")
    labels[0] = 3
    assert read_idx(FILES / "t10k-labels-idx1-ubyte.gz")[0] == 7


# --- IDX files written here: raw, gzip, and every way they can be broken -----------------------


def idx_bytes(array, magic=None):
    """An IDX file holding a uint8 array (magic overridable to plant a bad one)."""
    magic = 0x800 + array.ndim if magic is None else magic
    dims = b"".join(d.to_bytes(4, "big") for d in array.shape)
    return magic.to_bytes(4, "big") + dims + array.astype(np.uint8).tobytes()


@pytest.fixture(scope="module")
def small():
    """100 test images and labels: enough for 60 'train' and 40 'test' examples."""
    return read_idx(FILES / "t10k-images-idx3-ubyte.gz")[:100], read_idx(
        FILES / "t10k-labels-idx1-ubyte.gz")[:100]


def write_mnist_dir(folder, small, *, gz=False, broken=None):
    """The four standard files (raw, or .gz) of a 60/40 MNIST; broken[name] rewrites one's bytes."""
    images, labels = small
    contents = {"train-images-idx3-ubyte": idx_bytes(images[:60]),
                "train-labels-idx1-ubyte": idx_bytes(labels[:60]),
                "t10k-images-idx3-ubyte": idx_bytes(images[60:]),
                "t10k-labels-idx1-ubyte": idx_bytes(labels[60:])}
    for name, content in contents.items():
        if broken and name in broken:
            content = broken[name](content)
        if gz:
            (folder / f"{name}.gz").write_bytes(gzip.compress(content))
        else:
            (folder / name).write_bytes(content)
    return folder


@pytest.mark.parametrize("gz", [False, True])
def test_mnist_from_a_folder_raw_or_gzip(tmp_path, small, gz):
    ds = load_mnist(write_mnist_dir(tmp_path, small, gz=gz), flatten=False, normalize=False)
    np.testing.assert_array_equal(ds.train.X, small[0][:60])
    np.testing.assert_array_equal(ds.test.y, small[1][60:])


def test_read_idx_detects_gzip_by_content_not_name(tmp_path, small):
    images = small[0]
    (tmp_path / "raw.gz").write_bytes(idx_bytes(images))
    (tmp_path / "packed.idx").write_bytes(gzip.compress(idx_bytes(images)))
    for name in ("raw.gz", "packed.idx"):
        X = read_idx(tmp_path / name)
        assert X.dtype == np.uint8 and X.shape == (100, 28, 28)
        np.testing.assert_array_equal(X, images)


CORRUPTIONS = {  # case: (file to break, how, words the message must contain)
    "bad magic": ("t10k-images-idx3-ubyte",
                  lambda b: (0x804).to_bytes(4, "big") + b[4:], "bad magic number 0x00000804"),
    "float data": ("t10k-images-idx3-ubyte",
                   lambda b: (0xD03).to_bytes(4, "big") + b[4:], "float32"),
    "truncated images": ("train-images-idx3-ubyte", lambda b: b[:-100], "truncated"),
    "truncated header": ("train-images-idx3-ubyte", lambda b: b[:10], "truncated header"),
    "trailing bytes": ("t10k-labels-idx1-ubyte", lambda b: b + b"\0\0\0", "3 unexpected bytes"),
    "garbage": ("train-labels-idx1-ubyte", lambda b: b"<html>not found</html>", "bad magic"),
    "too short": ("train-labels-idx1-ubyte", lambda b: b"\0\0", "too short"),
    "empty shape": ("t10k-images-idx3-ubyte",
                    lambda b: b[:4] + (0).to_bytes(4, "big") + b[8:16], "empty shape"),
    "label out of range": ("train-labels-idx1-ubyte", lambda b: b[:-1] + b"\x0c", "label 12"),
}


@pytest.mark.parametrize("case", CORRUPTIONS)
def test_corrupt_idx_raises_data_error_naming_the_file(tmp_path, small, case):
    name, breaks, words = CORRUPTIONS[case]
    write_mnist_dir(tmp_path, small, broken={name: breaks})
    with pytest.raises(DataError, match=words) as info:
        load_mnist(tmp_path)
    assert name in str(info.value)
    assert isinstance(info.value, ValueError)


def test_corrupt_gzip_stream_raises_data_error(tmp_path, small):
    write_mnist_dir(tmp_path, small, gz=True)
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-500])
    with pytest.raises(DataError, match="t10k-images-idx3-ubyte.gz: corrupt gzip"):
        load_mnist(tmp_path)


def test_label_and_image_counts_must_agree(tmp_path, small):
    write_mnist_dir(tmp_path, small)
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(idx_bytes(small[1][61:]))
    with pytest.raises(DataError) as info:
        load_mnist(tmp_path)
    message = str(info.value)
    assert "t10k-images-idx3-ubyte" in message and "t10k-labels-idx1-ubyte" in message
    assert "40 images" in message and "39 labels" in message


def test_a_file_changed_on_disk_is_read_again(tmp_path, small):
    write_mnist_dir(tmp_path, small)
    assert load_mnist(tmp_path).test.y[0] == small[1][60]
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(idx_bytes(small[0][59:]))
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(idx_bytes(small[1][59:]))
    assert load_mnist(tmp_path).test.y[0] == small[1][59]


def test_missing_files_and_wrong_paths(tmp_path, small):
    with pytest.raises(FileNotFoundError, match="nope.gz"):
        read_idx(tmp_path / "nope.gz")
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path)
    with pytest.raises(FileNotFoundError, match="elsewhere"):
        load_mnist(tmp_path / "elsewhere")
    write_mnist_dir(tmp_path, small)
    with pytest.raises(NotADirectoryError, match="read_idx"):
        load_mnist(tmp_path / "t10k-labels-idx1-ubyte")


# --- Nielsen's mnist.pkl.gz --------------------------------------------------------------------


@pytest.fixture(scope="module")
def nielsen_parts(small):
    """Three (X, y) parts shaped like mnist.pkl.gz: float32 (n, 784) in [0, 1], int64 labels."""
    X = (small[0].reshape(100, 784) / np.float32(256)).astype(np.float32)  # any [0, 1] scale
    y = small[1].astype(np.int64)
    return (X[:60], y[:60]), (X[60:80], y[60:80]), (X[80:], y[80:])


@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
def test_nielsen_pickle_round_trip(tmp_path, nielsen_parts, protocol):
    path = tmp_path / "mnist.pkl.gz"
    path.write_bytes(gzip.compress(pickle.dumps(nielsen_parts, protocol=protocol)))
    ds = load_nielsen_pkl(path)
    for split, (X, y) in zip((ds.train, ds.validation, ds.test), nielsen_parts):
        np.testing.assert_array_equal(split.X, X)
        np.testing.assert_array_equal(split.y, y)
        assert split.X.dtype == np.float32 and split.y.dtype == np.int64
    hot = load_nielsen_pkl(path, one_hot=True, dtype="float64")
    assert hot.train.y.shape == (60, 10) and hot.train.X.dtype == np.float64
    np.testing.assert_array_equal(hot.test.y.argmax(axis=1), nielsen_parts[2][1])


class RunsCode:
    def __reduce__(self):
        return (print, ("this pickle ran code",))


def pickle_corruptions(parts):
    (X, y), valid, test = parts
    packed = gzip.compress(pickle.dumps(parts))
    return {  # case: (file bytes, words the message must contain)
        "not gzip, not pickle": (b"garbage" * 10, "not a readable pickle"),
        "truncated gzip": (packed[:-200], "corrupt gzip"),
        "two parts": (gzip.compress(pickle.dumps((parts[0], parts[1]))), "tuple of length 2"),
        "part not a pair": (gzip.compress(pickle.dumps(((X,), valid, test))), "training_data"),
        "1-D X": (gzip.compress(pickle.dumps(((X.ravel(), y), valid, test))), "training_data X"),
        "float y": (gzip.compress(pickle.dumps(((X, y * 1.0), valid, test))), "training_data y"),
        "short y": (gzip.compress(pickle.dumps(((X, y[:-1]), valid, test))), "one label per row"),
        "X not in [0, 1]": (gzip.compress(pickle.dumps(((X * 255, y), valid, test))), r"\[0, 1\]"),
        "label 10": (gzip.compress(pickle.dumps(((X, y + 10), valid, test))), "digits 0-9"),
        "runs code": (gzip.compress(pickle.dumps((RunsCode(), valid, test))), "refusing"),
    }


@pytest.fixture(scope="module")
def broken_pickles(nielsen_parts):
    return pickle_corruptions(nielsen_parts)


@pytest.mark.parametrize("case", list(pickle_corruptions(((np.zeros((1, 1)), np.zeros(1)),) * 3)))
def test_corrupt_nielsen_pickle_raises_data_error(tmp_path, broken_pickles, case, capsys):
    content, words = broken_pickles[case]
    path = tmp_path / "mnist.pkl.gz"
    path.write_bytes(content)
    with pytest.raises(DataError, match=words) as info:
        load_nielsen_pkl(path)
    assert "mnist.pkl.gz" in str(info.value)
    assert "ran code" not in capsys.readouterr().out


def test_nielsen_pickle_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="mnist.pkl.gz"):
        load_nielsen_pkl(tmp_path / "mnist.pkl.gz")


# --- the 32×32 text-bitmap digits --------------------------------------------------------------


def test_digits32_from_the_bundled_zip():
    ds = load_digits32(split="all")
    assert (ds.train.X.shape, ds.test.X.shape) == ((1933, 1024), (946, 1024))
    assert np.bincount(ds.train.y).tolist() == [189, 198, 195, 198, 186, 187, 195, 201, 180, 204]
    assert np.bincount(ds.test.y).tolist() == [87, 97, 92, 85, 114, 108, 87, 96, 91, 89]
    for X, y in (ds.train, ds.test):
        assert X.dtype == np.float32 and y.dtype == np.int64
        assert set(np.unique(X)) == {0.0, 1.0}
        assert (np.diff(y) >= 0).all()  # sorted by label, then number
    hot = load_digits32(split="test", one_hot=True, dtype="float64")
    np.testing.assert_array_equal(hot.y.argmax(axis=1), ds.test.y)
    with pytest.raises(ValueError, match="split"):
        load_digits32(split="validation")


def test_digits32_first_training_bitmap_matches_its_text():
    with zipfile.ZipFile(FILES / "digits.zip") as archive:
        rows = archive.read("trainingDigits/0_0.txt").decode().split()[:32]
    expected = np.array([[int(c) for c in row] for row in rows]).ravel()
    np.testing.assert_array_equal(load_digits32().X[0], expected)


def test_digits32_from_an_extracted_folder(tmp_path):
    with zipfile.ZipFile(FILES / "digits.zip") as archive:
        archive.extractall(tmp_path)
    from_zip, from_folder = load_digits32(split="all"), load_digits32(tmp_path, split="all")
    for a, b in ((from_zip.train, from_folder.train), (from_zip.test, from_folder.test)):
        np.testing.assert_array_equal(a.X, b.X)
        np.testing.assert_array_equal(a.y, b.y)


GOOD_ROWS = ["0" * 12 + "1" * 8 + "0" * 12] * 32


def digit_file(rows=GOOD_ROWS, tail="\n3"):
    return "\n".join(rows) + tail


BROKEN_DIGITS = {  # case: (file name, text, words the message must contain)
    "31 characters": ("3_1.txt", digit_file(GOOD_ROWS[:4] + ["0" * 31] + GOOD_ROWS[5:]),
                      "line 5: the row has 31 characters"),
    "a 2": ("3_1.txt", digit_file(GOOD_ROWS[:6] + ["002" + "0" * 29] + GOOD_ROWS[7:]),
            "line 7, column 3: '2'"),
    "30 rows": ("3_1.txt", digit_file(GOOD_ROWS[:30], tail="\n"), "line 31: the file ends"),
    "31 rows then the stray digit": ("3_1.txt", digit_file(GOOD_ROWS[:31]), "line 32"),
    "two stray tokens": ("3_1.txt", digit_file(tail="\n3\n0"), "line 34: unexpected '0'"),
    "a word after the rows": ("3_1.txt", digit_file(tail="\nthe end"), "line 33"),
    "label not a digit": ("x_1.txt", digit_file(), "label 'x'"),
    "label 10": ("10_1.txt", digit_file(), "label '10'"),
    "no number": ("3.txt", digit_file(), "<label>_<n>.txt"),
    "not ASCII": ("3_1.txt", "é" + digit_file(), "not ASCII"),
}


def write_digits(folder, extra=None):
    """trainingDigits/ and testDigits/ with two good files each, plus extra {name: text}."""
    for split in ("trainingDigits", "testDigits"):
        (folder / split).mkdir()
        (folder / split / "1_0.txt").write_text(digit_file(tail="\n0\n"))
        (folder / split / "1_1.txt").write_text(digit_file(tail=""))
    for name, text in (extra or {}).items():
        (folder / "trainingDigits" / name).write_bytes(text.encode())
    return folder


@pytest.mark.parametrize("case", BROKEN_DIGITS)
def test_broken_digit_file_names_the_file_and_line(tmp_path, case):
    name, text, words = BROKEN_DIGITS[case]
    write_digits(tmp_path, {name: text})
    with pytest.raises(DataError, match=words) as info:
        load_digits32(tmp_path)
    assert f"trainingDigits/{name}" in str(info.value).replace("\\", "/")
    load_digits32(tmp_path, "test")  # the other split is untouched


def test_broken_digit_file_inside_a_zip(tmp_path):
    path = tmp_path / "digits.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("digits/trainingDigits/2_7.txt", digit_file(GOOD_ROWS[:31] + ["0" * 33]))
    with pytest.raises(DataError, match=r"digits.zip/digits/trainingDigits/2_7.txt: line 32"):
        load_digits32(path)
    with pytest.raises(DataError, match="no digit files in testDigits/"):
        load_digits32(path, "test")


def test_digit_files_tolerate_crlf_trailing_spaces_and_the_stray_digit(tmp_path):
    crlf = "\r\n".join(row + "  " for row in GOOD_ROWS) + "\r\n7 \r\n\r\n"
    write_digits(tmp_path, {"4_2.txt": crlf, "notes.md": "ignored"})
    X, y = load_digits32(tmp_path)
    assert y.tolist() == [1, 1, 4] and X.shape == (3, 1024)
    np.testing.assert_array_equal(X[2], X[0])
    assert X[0].sum() == 32 * 8


def test_digits32_wrong_sources(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.zip"):
        load_digits32(tmp_path / "missing.zip")
    with pytest.raises(DataError, match="no trainingDigits/ folder"):
        load_digits32(tmp_path)
    (tmp_path / "fake.zip").write_bytes(b"PK not really")
    with pytest.raises(DataError, match="fake.zip: not a zip file"):
        load_digits32(tmp_path / "fake.zip")


# --- mini-batches ------------------------------------------------------------------------------


@pytest.mark.parametrize("n, size", [(10, 3), (12, 4), (5, 8), (1, 1), (0, 4)])
@pytest.mark.parametrize("shuffle", [False, True])
def test_batches_cover_every_example_once(n, size, shuffle):
    X, y = np.arange(2 * n).reshape(n, 2), np.arange(n)
    seen = []
    for Xb, yb in batches(X, y, size, shuffle=shuffle, seed=1):
        assert 1 <= len(yb) <= size
        np.testing.assert_array_equal(Xb, X[yb])  # rows stay paired with their labels
        seen += yb.tolist()
    assert sorted(seen) == list(range(n))
    if not shuffle:
        assert seen == list(range(n))


def test_batches_are_reproducible_with_a_seed():
    X, y = np.random.default_rng(0).normal(size=(100, 3)), np.arange(100)
    order = lambda **kw: np.concatenate([yb for _, yb in batches(X, y, 16, **kw)])
    np.testing.assert_array_equal(order(seed=7), order(seed=7))
    assert not np.array_equal(order(seed=7), order(seed=8))
    assert not np.array_equal(order(seed=7), np.arange(100))
    rng = np.random.default_rng(3)  # one Generator: successive epochs differ, reproducibly
    first, second = order(seed=rng), order(seed=rng)
    assert not np.array_equal(first, second)
    rng = np.random.default_rng(3)
    np.testing.assert_array_equal(order(seed=rng), first)


def test_batches_drop_last():
    X, y = np.zeros((10, 2)), np.arange(10)
    assert [len(yb) for _, yb in batches(X, y, 4, drop_last=True)] == [4, 4]
    assert [len(yb) for _, yb in batches(X, y, 4)] == [4, 4, 2]
    assert [len(yb) for _, yb in batches(X, y, 5, drop_last=True)] == [5, 5]
    assert list(batches(X, y, 11, drop_last=True)) == []


def test_batches_reject_bad_arguments_before_iterating():
    X, y = np.zeros((10, 2)), np.arange(10)
    for size in (0, -3):
        with pytest.raises(ValueError, match="batch_size"):
            batches(X, y, size)
    for size in (2.0, True, "4"):
        with pytest.raises(TypeError, match="batch_size"):
            batches(X, y, size)
    with pytest.raises(ValueError, match=r"\(10, 2\) and \(9,\)"):
        batches(X, y[:9], 2)


def test_batches_accept_lists_and_mnist():
    Xb, yb = next(iter(batches([[1], [2], [3]], [1, 2, 3], 2, shuffle=False)))
    assert Xb.tolist() == [[1], [2]] and yb.tolist() == [1, 2]
    X, y = load_mnist().test
    sizes = [len(yb) for _, yb in batches(X, y, 128, seed=0)]
    assert sum(sizes) == 10000 and sizes[-1] == 10000 % 128


def test_pickle_of_a_file_object():
    part = (np.ones((2, 784), np.float32), np.array([1, 2]))
    buffer = io.BytesIO(pickle.dumps((part, part, part)))  # an uncompressed pickle works too
    assert load_nielsen_pkl(buffer).train.y.tolist() == [1, 2]
