"""The 32×32 handwritten digits of Machine Learning in Action: text files of 32 rows of 32 '0'/'1'
characters named <label>_<n>.txt, in trainingDigits/ and testDigits/ of a zip or a folder.
load_digits32 reads them as the learners' img2vector does, but reports any file it would misread.
Imports numpy, the standard library and data.dataset.
"""

import re
import zipfile
from pathlib import Path, PurePosixPath

import numpy as np

from .dataset import FILES, DataError, Dataset, Split
from .dataset import one_hot as encode_one_hot

FOLDERS = {"train": "trainingDigits", "test": "testDigits"}
FILE_NAME = re.compile(r"(?P<label>[^_]*)_(?P<n>\d+)\.txt")


def load_digits32(source=None, split="train", *, dtype="float32", one_hot=False):
    """Load the 32×32 text-bitmap digits: split "train" or "test" as a Split, "all" as a Dataset.

    source is a zip or a folder holding trainingDigits/ and testDigits/; None means the bundled
    digits.zip (1933 training and 946 test digits). X is (n, 1024) of 0s and 1s in dtype, one row
    per file, sorted by label and then number; y holds int64 digits, or one-hot rows in dtype.

    >>> X, y = load_digits32(split="test")
    >>> X.shape, X.dtype, y[:3], int(X[0].sum())
    ((946, 1024), dtype('float32'), array([0, 0, 0]), 293)
    """
    if split == "all":
        parts = [load_digits32(source, s, dtype=dtype, one_hot=one_hot) for s in FOLDERS]
        return Dataset(parts[0], None, parts[1])
    if split not in FOLDERS:
        raise ValueError(f"load_digits32: split={split!r} is not one of 'train', 'test', 'all'")
    source = FILES / "digits.zip" if source is None else Path(source).expanduser()
    folder = FOLDERS[split]
    if source.is_dir():
        files = _from_folder(source, folder)
    elif source.is_file():
        files = _from_zip(source, folder)
    else:
        raise FileNotFoundError(f"load_digits32: no such zip file or folder: {source}")
    named = []
    for where, data in files:
        match = FILE_NAME.fullmatch(PurePosixPath(where).name)
        if match is None:
            raise DataError(f"{where}: the file name should be <label>_<n>.txt, like 3_10.txt")
        if len(match["label"]) != 1 or not match["label"].isdigit():
            raise DataError(f"{where}: the label {match['label']!r} in the file name is not a "
                            "digit 0-9")
        named.append((int(match["label"]), int(match["n"]), where, data))
    if not named:
        raise DataError(f"{source}: no digit files in {folder}/; expected files such as "
                        f"{folder}/3_10.txt")
    named.sort(key=lambda t: t[:3])  # the listing order of a zip or folder is not reproducible
    X = np.stack([_bitmap(data, where) for _, _, where, data in named]).astype(dtype)
    y = np.array([label for label, *_ in named], dtype=np.int64)
    return Split(X, encode_one_hot(y, 10, dtype=dtype) if one_hot else y)


def _from_folder(source, folder):
    """(where, bytes) for each .txt file in source/folder."""
    if not (source / folder).is_dir():
        raise DataError(f"{source}: no {folder}/ folder; expected trainingDigits/ and testDigits/ "
                        "as unpacked from digits.zip")
    paths = [p for p in (source / folder).iterdir() if p.suffix == ".txt" and p.is_file()]
    return [(str(p), p.read_bytes()) for p in paths if not p.name.startswith(".")]


def _from_zip(source, folder):
    """(where, bytes) for each .txt member of a zip whose parent folder is named folder."""
    if not zipfile.is_zipfile(source):
        raise DataError(f"{source}: not a zip file; pass a digits zip or a folder holding "
                        "trainingDigits/ and testDigits/")
    with zipfile.ZipFile(source) as archive:
        names = [n for n in archive.namelist() if PurePosixPath(n).parent.name == folder
                 and n.endswith(".txt") and not n.startswith("__MACOSX/")
                 and not PurePosixPath(n).name.startswith(".")]
        parents = sorted({str(PurePosixPath(n).parent) for n in names})
        if len(parents) > 1:
            raise DataError(f"{source}: {folder}/ appears {len(parents)} times "
                            f"({', '.join(parents)}); keep one copy")
        try:
            return [(f"{source}/{n}", archive.read(n)) for n in names]
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            raise DataError(f"{source}: corrupt zip ({e}); download it again") from None


def _bitmap(data, where):
    """The 1024 pixels of one digit file, read strictly: 32 rows of 32 '0'/'1' characters, then
    nothing but whitespace and at most one stray digit (this copy ends each file with its label)."""
    try:
        lines = [line.rstrip() for line in data.decode("ascii").split("\n")]  # '\r\n' too
    except UnicodeDecodeError as e:
        raise DataError(f"{where}: byte 0x{data[e.start]:02X} at offset {e.start} is not ASCII "
                        "text; expected 32 rows of 32 '0'/'1' characters") from None
    lines += [""] * (32 - len(lines))
    for i, row in enumerate(lines[:32]):
        if not any(lines[i:]):
            raise DataError(f"{where}: line {i + 1}: the file ends after {i} rows; expected 32 "
                            "rows of 32 '0'/'1' characters")
        bad = row.strip("01")
        if len(row) != 32:
            raise DataError(f"{where}: line {i + 1}: the row has {len(row)} characters "
                            f"({row[:40]!r}); expected 32 '0'/'1' characters")
        if bad:
            column = row.index(bad[0]) + 1
            raise DataError(f"{where}: line {i + 1}, column {column}: {bad[0]!r} is not '0' or "
                            "'1'")
    stray = 0
    for i, line in enumerate(lines[32:], start=33):
        for token in line.split():
            stray += 1
            if stray > 1 or len(token) != 1 or not token.isdigit():
                raise DataError(f"{where}: line {i}: unexpected {token[:40]!r} after the 32 rows; "
                                "a digit file ends after its rows and at most one stray digit")
    return np.frombuffer("".join(lines[:32]).encode(), dtype=np.uint8) - ord("0")
