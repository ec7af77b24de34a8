"""The learner's script read for what it does to its data (check/prepared.py): training images
divided by 255 and test images not, which no check that runs the learner's functions can see;
and the held-out data the checker hands a training function, which must not be trained on."""

import shutil
from pathlib import Path

import pytest

from tinygrad_edu.check import check_program
from tinygrad_edu.check.prepared import unscaled_test

PROGRAMS = Path(__file__).with_name("check_programs")


def _script(tmp_path, text):
    path = tmp_path / "train.py"
    path.write_text(text)
    return path


@pytest.mark.parametrize("script, found", [
    ("x_train = x_train.astype('float32') / 255\nx_test = x_test.astype('float32')\n"
     "net.fit(x_train, y_train)\nprint(net.evaluate(x_test, y_test))\n",
     ("x_train", "x_test", 1, 2)),
    ("train_images = train_images / 255.0\nnet.train(train_images, train_labels)\n"
     "acc = net.accuracy(test_images, test_labels)\n", ("train_images", "test_images", 1, 3)),
    ("if __name__ == '__main__':\n    trainX /= 256\n    model.fit(trainX, trainY)\n"
     "    model.score(testX, testY)\n", ("trainX", "testX", 2, 4)),
    # scaled the same way, inline or together: fine
    ("net.fit(X_train.T / 255.0, y)\nnet.accuracy(X_test.T / 255.0, y_test)\n", None),
    ("x_train, x_test = x_train / 255.0, x_test / 255.0\nnet.fit(x_train)\nnet.acc(x_test)\n",
     None),
    # made from another array and divided on the way (the video's X_test = test_images.T / 255.)
    ("X_train = data_train[1:n]\nX_train = X_train / 255.\nX_test = test_images.T / 255.\n"
     "fit(X_train)\nacc(X_test)\n", None),
    # passed through a function of its own, which may scale it: not said
    ("x_train = x_train / 255\nx_test = normalize(x_test)\nnet.acc(x_test, y_test)\n", None),
    # labels divided by 255 make no sense, and the test images never reach a call
    ("y_train = y_train / 255\nnet.acc(y_test)\n", None),
    ("x_train = x_train / 255\nfor x in x_test:\n    pass\n", None),
])
def test_test_images_left_unscaled_are_read_from_the_script(tmp_path, script, found):
    got = unscaled_test([_script(tmp_path, script)])
    if found is None:
        assert got is None, got
        return
    assert (got.train, got.test, got.scaled, got.at) == found  # at: where to divide it


def test_the_evaluation_check_says_it_at_the_line_that_prepares_the_test_images(tmp_path):
    folder = tmp_path / "selfstep"
    shutil.copytree(PROGRAMS / "selfstep", folder)
    path = folder / "nn.py"
    text = path.read_text()
    old = "x_test = x_test.reshape(-1, 784) / 255.0"
    assert old in text
    path.write_text(text.replace(old, "x_test = x_test.reshape(-1, 784)"))
    evaluation = next(r for r in check_program(path).results if r.check == "evaluation")
    assert evaluation.status == "wrong"
    assert evaluation.summary.startswith("your script divides x_train by 255 (line ")
    assert "but never x_test" in evaluation.summary
    line = int(evaluation.where.rpartition(":")[2].rstrip(")"))
    assert path.read_text().splitlines()[line - 1] == "x_test = x_test.reshape(-1, 784)"
    assert evaluation.details[-1] == "divide x_test by 255 as x_train is, before anything " \
                                     "scores it"


ACCURACY = ("""    def predict(self, X):
        return np.argmax(self.forward(X), axis=1)
""", """    def predict(self, X):
        return np.argmax(self.forward(X), axis=1)

    def accuracy(self, X, y):
        return np.mean(self.predict(X) == y)
""")
SCORED = ("""print("test accuracy", np.mean(nn.predict(x_test) == y_test))""",
          """print("test accuracy", nn.accuracy(x_test, y_test_oh))""")


@pytest.mark.parametrize("targets, wrong", [
    ("y_test_oh = np.eye(10)[y_test]\n", True),
    ("y_test_oh = np.zeros((len(y_test), 10))\ny_test_oh[np.arange(len(y_test)), y_test] = 1\n",
     True),
    ("y_test_oh = y_test\n", False),  # the digits under another name
])
def test_digits_compared_with_one_hot_targets_the_script_made(tmp_path, targets, wrong):
    """accuracy(X, y) compares its predictions with digits, as the checker calls it; the script
    hands it one-hot rows it made itself. Read from the script: the finding is at its call."""
    folder = tmp_path / "selfstep"
    shutil.copytree(PROGRAMS / "selfstep", folder)
    path = folder / "nn.py"
    text = path.read_text()
    for old, new in (ACCURACY, SCORED):
        assert old in text
        text = text.replace(old, new)
    path.write_text(text.replace(SCORED[1], targets + SCORED[1]))
    evaluation = next(r for r in check_program(path).results if r.check == "evaluation")
    if not wrong:
        assert evaluation.status == "ok", evaluation.summary
        return
    assert evaluation.status == "wrong"
    assert evaluation.summary.startswith("NeuralNetwork.accuracy compares the predicted digits "
                                         "with its y, and your script hands it y_test_oh")
    line = int(evaluation.where.rpartition(":")[2].rstrip(")"))
    assert path.read_text().splitlines()[line - 1] == SCORED[1]


@pytest.mark.parametrize("bug", [False, True])
def test_a_training_function_that_trains_on_its_dev_labels(tmp_path, bug):
    """model(X, Y, X_dev, Y_dev, ...) of plain functions: the held-out targets carry each
    example's label moved on by one, and the backward pass's targets are recorded beside each
    batch, so mini-batches of X with Y_dev are named at the line that makes them."""
    folder = tmp_path / "coursera"
    shutil.copytree(PROGRAMS / "coursera", folder)
    path = folder / "deep_nn.py"
    text = path.read_text()
    edits = [("def model(X, Y, layers_dims,", "def model(X, Y, X_dev, Y_dev, layers_dims,"),
             ("model(train_x, train_y, [784", "model(train_x, train_y, dev_x, dev_y, [784")]
    if bug:
        edits.append(("random_mini_batches(X, Y, mini_batch_size, seed)",
                      "random_mini_batches(X, Y_dev, mini_batch_size, seed)"))
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text)
    minibatches = next(r for r in check_program(path).results if r.check == "minibatches")
    if not bug:
        assert minibatches.status == "ok", minibatches.summary
        return
    assert minibatches.status == "wrong"
    assert minibatches.summary.startswith("model trains on the labels of its held-out data "
                                          "(Y_dev)"), minibatches.summary
    line = int(minibatches.where.rpartition(":")[2].rstrip(")"))
    assert "random_mini_batches(X, Y_dev" in path.read_text().splitlines()[line - 1]
