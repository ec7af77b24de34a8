"""MNIST: read_idx decodes one IDX file (gzip or raw), load_mnist turns the four standard files
into a Dataset, and load_nielsen_pkl reads the mnist.pkl.gz of Nielsen's book into the same shape.
Imports numpy, the standard library and data.dataset; decoded files are cached per process.
"""

import functools
import gzip
import io
import operator
import pickle
import zlib
from pathlib import Path

import numpy as np

from .dataset import FILES, DataError, Dataset, Split
from .dataset import one_hot as encode_one_hot

GZIP_MAGIC = b"\x1f\x8b"
IDX_LABELS, IDX_IMAGES = 0x00000801, 0x00000803  # unsigned bytes, 1 and 3 dimensions
IDX_TYPES = {0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "int16", 0x0C: "int32",
             0x0D: "float32", 0x0E: "float64"}
MNIST_FILES = {  # part -> (images file, labels file), as published by LeCun et al.
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def read_idx(path):
    """Read an IDX file (gzip-compressed or raw) into a uint8 array of the shape it declares.

    >>> read_idx(FILES / "t10k-labels-idx1-ubyte.gz")[:5]
    array([7, 2, 1, 0, 4], dtype=uint8)
    """
    return _decode_idx(path).copy()


def _decode_idx(path):
    """read_idx without the final copy: the array is read-only, a view of the decoded bytes."""
    path = Path(path).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"read_idx: no such file: {path}")
    raw = path.read_bytes()
    if raw[:2] == GZIP_MAGIC:  # by content, not by name: unpacked files often keep their .gz
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise DataError(f"{path}: corrupt gzip data ({e}); download the file again") from None
    if len(raw) < 4:
        raise DataError(f"{path}: {len(raw)} bytes is too short for an IDX header; is this an "
                        "IDX file?")
    magic = int.from_bytes(raw[:4], "big")
    if magic not in (IDX_LABELS, IDX_IMAGES):
        dtype_byte = raw[2]
        if raw[:2] == b"\0\0" and dtype_byte in IDX_TYPES and dtype_byte != 0x08:
            problem = f"holds {IDX_TYPES[dtype_byte]} data, read_idx reads unsigned bytes (0x08)"
        else:
            problem = "is this an IDX file?"
        raise DataError(f"{path}: bad magic number 0x{magic:08X} (expected 0x{IDX_LABELS:08X} "
                        f"for labels or 0x{IDX_IMAGES:08X} for images); {problem}")
    ndim = raw[3]
    start = 4 + 4 * ndim
    if len(raw) < start:
        raise DataError(f"{path}: truncated header: {ndim} dimensions need {start} bytes, the "
                        f"file has {len(raw)} bytes")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    if 0 in shape:
        raise DataError(f"{path}: header declares the empty shape {shape}; the file is corrupt")
    expected, found = int(np.prod(shape, dtype=object)), len(raw) - start
    if found < expected:
        raise DataError(f"{path}: truncated: the header declares shape {shape} = {expected} bytes "
                        f"of data, only {found} follow; download the file again")
    if found > expected:
        raise DataError(f"{path}: {found - expected} unexpected bytes after the {expected} bytes "
                        f"of data the header declares (shape {shape}); is this the right file?")
    return np.frombuffer(raw, dtype=np.uint8, offset=start).reshape(shape)


@functools.lru_cache(maxsize=8)
def _cached_idx(resolved, mtime_ns, size):
    """_decode_idx, remembered per file version: the tests and examples load MNIST many times."""
    return _decode_idx(resolved)


def _find(folder, name):
    """The file `name` or `name.gz` inside folder."""
    for candidate in (folder / f"{name}.gz", folder / name):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"load_mnist: neither {name}.gz nor {name} is in {folder}; download "
                            "the four MNIST files there, or pass path=None for the bundled copy")


def _read_part(folder, part):
    """The read-only (images, labels) uint8 arrays of one MNIST part, checked against each other."""
    paths = [_find(folder, name) for name in MNIST_FILES[part]]
    images, labels = (_cached_idx(p.resolve(), p.stat().st_mtime_ns, p.stat().st_size)
                      for p in paths)  # a changed file has a new mtime or size: read it again
    if images.ndim != 3 or labels.ndim != 1:
        raise DataError(f"{paths[0]} and {paths[1]}: expected images of shape (n, rows, cols) and "
                        f"labels of shape (n,), got {images.shape} and {labels.shape}; are the two "
                        "files swapped?")
    if len(images) != len(labels):
        raise DataError(f"{paths[0]} holds {len(images)} images but {paths[1]} holds "
                        f"{len(labels)} labels; the two files must come from the same release")
    if labels.max() > 9:
        i = int(labels.argmax())
        raise DataError(f"{paths[1]}: label {labels[i]} at index {i} is not a digit 0-9")
    return images, labels


def load_mnist(path=None, *, normalize=True, flatten=True, one_hot=False, dtype="float32",
               validation=0):
    """Load MNIST as a Dataset: 60k train (less `validation` held out from its end) and 10k test.

    path is a folder holding the four standard files (gzip or raw); None means the bundled copy.
    normalize scales pixels to [0, 1] in dtype (else they stay uint8); flatten gives rows of 784
    (else 28×28 images); one_hot gives labels as rows of 10 in dtype (else int64 digits).
    validation=10000 reproduces the 50k/10k split of Nielsen's mnist.pkl.gz.

    >>> ds = load_mnist(validation=10000)
    >>> ds.train.X.shape, ds.validation.X.shape, ds.test.X.dtype, ds.test.y[:5]
    ((50000, 784), (10000, 784), dtype('float32'), array([7, 2, 1, 0, 4]))
    """
    folder = FILES if path is None else Path(path).expanduser()
    if folder.is_file():
        raise NotADirectoryError(f"load_mnist: {folder} is a file; pass the folder that holds the "
                                 "four MNIST files, read_idx(path) for one IDX file, or "
                                 "load_nielsen_pkl(path) for mnist.pkl.gz")
    if not folder.is_dir():
        raise FileNotFoundError(f"load_mnist: no such folder: {folder}")
    if normalize and np.dtype(dtype).kind != "f":
        raise ValueError(f"load_mnist: normalize=True needs a float dtype, got {np.dtype(dtype)}; "
                         "pass normalize=False to keep uint8 pixels")
    try:
        validation = operator.index(validation)  # an example count, not a fraction
    except TypeError:
        raise TypeError(f"load_mnist: validation is a number of examples held out, got "
                        f"{validation!r}; for a fraction of the 60,000 training images write "
                        f"e.g. validation=int(0.1 * 60000), or 10000 for Nielsen's split") from None
    parts = {part: _read_part(folder, part) for part in MNIST_FILES}
    n = len(parts["train"][1])
    if not 0 <= validation < n:
        raise ValueError(f"load_mnist: validation={validation} must lie in 0..{n - 1}: that many "
                         "examples are held out from the end of the training set")
    splits = {}
    for part, (images, labels) in parts.items():
        X = images.reshape(len(images), -1) if flatten else images
        if normalize:
            X = X.astype(dtype)
            X /= 255
        else:
            X = X.copy()  # the cached array is read-only; the caller owns this one
        y = labels.astype(np.int64)
        splits[part] = Split(X, encode_one_hot(y, 10, dtype=dtype) if one_hot else y)
    X, y = splits["train"]
    held_out = Split(X[n - validation:], y[n - validation:]) if validation else None
    return Dataset(Split(X[: n - validation], y[: n - validation]), held_out, splits["test"])


class _ArraysOnly(pickle.Unpickler):
    """An Unpickler that builds numpy arrays and nothing else, so a pickle cannot run code."""

    ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "scalar"),
               ("numpy.core.numeric", "_frombuffer"), ("numpy", "ndarray"), ("numpy", "dtype"),
               ("_codecs", "encode")}

    def find_class(self, module, name):
        if (module.replace("numpy._core", "numpy.core"), name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}: a dataset pickle "
                                         "should hold numpy arrays only")
        try:  # numpy 2 renamed numpy.core to numpy._core: accept pickles from either side
            return super().find_class(module.replace("numpy.core", "numpy._core"), name)
        except ModuleNotFoundError:
            return super().find_class(module.replace("numpy._core", "numpy.core"), name)


def load_nielsen_pkl(path, *, one_hot=False, dtype="float32"):
    """Read Nielsen's mnist.pkl.gz (train 50k, validation 10k, test 10k) into a Dataset.

    Only numpy arrays are unpickled, so a file from elsewhere cannot run code when loaded.

    >>> import io, pickle
    >>> part = (np.zeros((2, 784), np.float32), np.array([3, 5]))
    >>> buf = io.BytesIO(gzip.compress(pickle.dumps((part, part, part))))
    >>> load_nielsen_pkl(buf).validation
    Split(X=float32(2, 784), y=int64(2,))
    """
    if hasattr(path, "read"):
        raw, path = path.read(), getattr(path, "name", "<file object>")
    elif not Path(path).is_file():
        raise FileNotFoundError(f"load_nielsen_pkl: no such file: {path}")
    else:
        raw = Path(path).read_bytes()
    if raw[:2] == GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise DataError(f"{path}: corrupt gzip data ({e}); download the file again") from None
    try:  # Nielsen's file was pickled by Python 2: its byte strings need latin1
        parts = _ArraysOnly(io.BytesIO(raw), encoding="latin1").load()
    except Exception as e:  # garbage can fail in any of a dozen ways; all mean "not this file"
        raise DataError(f"{path}: not a readable pickle ({type(e).__name__}: {e}); expected "
                        "Nielsen's mnist.pkl.gz") from None
    if not isinstance(parts, (tuple, list)) or len(parts) != 3:
        raise DataError(f"{path}: expected a tuple (training_data, validation_data, test_data), "
                        f"got {_describe(parts)}")
    splits = []
    for name, part in zip(("training_data", "validation_data", "test_data"), parts):
        if not isinstance(part, (tuple, list)) or len(part) != 2:
            raise DataError(f"{path}: {name} should be a pair (X, y), got {_describe(part)}")
        X, y = part
        if not (isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype.kind == "f"):
            raise DataError(f"{path}: {name} X should be a float array of shape (n, 784), got "
                            f"{_describe(X)}")
        if not (isinstance(y, np.ndarray) and y.ndim == 1 and y.dtype.kind in "iu"):
            raise DataError(f"{path}: {name} y should be an integer array of shape (n,), got "
                            f"{_describe(y)}")
        if len(X) != len(y) or X.shape[1] != parts[0][0].shape[1]:
            raise DataError(f"{path}: {name} has X of shape {X.shape} and y of shape {y.shape}; "
                            "expected one label per row and the same columns in every part")
        if X.size and not (X.min() >= 0 and X.max() <= 1):  # also catches NaN
            raise DataError(f"{path}: {name} X should lie in [0, 1], found "
                            f"{X.min()}..{X.max()}")
        if y.size and (y.min() < 0 or y.max() > 9):
            raise DataError(f"{path}: {name} y should hold digits 0-9, found {y.min()}..{y.max()}")
        y = y.astype(np.int64)
        splits.append(Split(X.astype(dtype), encode_one_hot(y, 10, dtype=dtype) if one_hot else y))
    return Dataset(*splits)


def _describe(obj):
    """A short description of what was found where something else was expected."""
    if isinstance(obj, np.ndarray):
        return f"an array of {obj.dtype} {obj.shape}"
    length = f" of length {len(obj)}" if isinstance(obj, (tuple, list)) else ""
    return f"{type(obj).__name__}{length}"
