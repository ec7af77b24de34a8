# ruff: noqa  (a learner's program, kept in their style)
"""dataset/mnist.py in the book's style: downloads and pickles MNIST (not here, no network)."""
import os
import pickle

dataset_dir = os.path.dirname(os.path.abspath(__file__))
save_file = dataset_dir + "/mnist.pkl"


def load_mnist(normalize=True, flatten=True, one_hot_label=False):
    with open(save_file, "rb") as f:
        dataset = pickle.load(f)
    return (dataset["train_img"], dataset["train_label"]), (dataset["test_img"],
                                                           dataset["test_label"])
