"""The bundled datasets and their loaders: MNIST (IDX files or Nielsen's mnist.pkl.gz), the 32×32
text-bitmap digits, and a seeded mini-batch iterator. Imports numpy and the standard library only,
never the engine; importing it reads no file.
"""

from .batches import batches
from .dataset import SHA256, DataError, Dataset, Split, one_hot
from .digits32 import load_digits32
from .mnist import load_mnist, load_nielsen_pkl, read_idx

__all__ = ["DataError", "Dataset", "SHA256", "Split", "batches", "load_digits32", "load_mnist",
           "load_nielsen_pkl", "one_hot", "read_idx"]
