"""check.layered: a network class that runs a list of layer objects it was built with,
`Network([Dense(784, 40), Sigmoid(), Dense(40, 10), Sigmoid()], MeanSquaredError())` with a fit
loop whose lines are its step (layered/net.py), and `Model([Linear(784, 100), ReLU(),
Linear(100, 10)])` with a train_step(x, y, lr) and integer labels (layered/model.py), both built
as the learner's script builds them (model.py inside main()); and the same as functions, a
`predict(network, x)` over the list the script makes and a `train(network, mse, mse_prime,
x_train, y_train, ...)` whose layers step themselves in backward (layered/layer_list.py), also
walking the examples one at a time as the video does (layered/video_examples.py); and NNFS's
chapter 18 Model, filled by the script's add/set/finalize calls (layered/nnfs_model.py)."""

import shutil
from pathlib import Path

import pytest

from tinygrad_edu.check.program import check_program

LAYERED = Path(__file__).with_name("check_programs") / "layered"


@pytest.fixture
def layered(tmp_path):
    shutil.copytree(LAYERED, tmp_path / "layered")
    return tmp_path / "layered"


def _result(report, check):
    return next(r for r in report.results if r.check == check)


def _line(path, text):
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def _edited(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return path


@pytest.mark.parametrize("name, step", [
    ("net.py", "the lines of fit's loop from forward to step (from line"),
    ("model.py", "train_step(x, y, lr) is its update step"),
    ("layer_list.py", "the lines of train's loop from predict on (from line"),
    ("video_examples.py", "the lines of train's loop from predict on (from line")])
def test_a_network_of_layer_objects_is_checked_whole(layered, name, step):
    """Every check runs and passes: the parameters are the layers' own arrays
    (self.layers[0].W, ...), η and the batch size come from the script's fit call."""
    report = check_program(layered / name)
    assert report.ok and all(r.status == "ok" for r in report.results
                             if r.check != "evaluation"), str(report)
    assert any(n.startswith("recognized a network of layer objects") for n in report.notes)
    assert any(step in n for n in report.notes), report.notes
    first = "network[0]." if name in ("layer_list.py", "video_examples.py") else \
        "self.layers[0]."
    assert any(first in n for n in report.notes), report.notes


def test_a_sigmoid_layer_without_its_derivative_is_found_in_its_backward(layered):
    """Sigmoid.backward returning grad * out (σ'(z) = out·(1 − out) lost its (1 − out)): the
    gradients are read from the fit loop's step, and the place is the layer's backward."""
    path = _edited(layered / "net.py", "return grad * self.out * (1 - self.out)",
                   "return grad * self.out")
    gradients = _result(check_program(path), "gradients")
    assert gradients.status == "wrong", gradients.summary
    assert gradients.where == f"Sigmoid.backward (net.py:{_line(path, 'return grad * self.out')})"


def test_a_step_that_skips_the_biases_never_updates_them(layered):
    path = _edited(layered / "net.py", "                layer.b -= lr * layer.db\n", "")
    update = _result(check_program(path), "update")
    assert update.status == "wrong" and "never updates" in update.summary and \
        "self.layers[0].b" in update.summary, update.summary


def test_a_relu_masked_by_its_gradient_and_overlapping_batches(layered):
    """ReLU.backward masking with (grad > 0) instead of what the forward pass kept: the layer
    is named; a fit loop that moves on by half a batch: the batches overlap."""
    path = _edited(layered / "model.py", "return grad * self.mask", "return grad * (grad > 0)")
    path = _edited(path, "for i in range(0, len(X), batch_size):",
                   "for i in range(0, len(X), batch_size // 2):")
    report = check_program(path)
    gradients = _result(report, "gradients")
    assert gradients.status == "wrong" and "ReLU.backward is not the derivative it is named " \
        "for" in gradients.summary, gradients.summary
    minibatches = _result(report, "minibatches")
    assert minibatches.status == "wrong" and "batches overlap" in minibatches.summary


@pytest.mark.parametrize("name, bias, late", [
    ("layer_list.py", "output_gradient.sum(axis=1, keepdims=True)",
     "self.weights.T @ output_gradient"),  # batches of columns
    ("video_examples.py", "output_gradient",
     "np.dot(self.weights.T, output_gradient)")])  # the video's, one example at a time
def test_a_layer_that_steps_its_weights_before_passing_the_error_down(layered, name, bias,
                                                                       late):
    """Dense.backward(grad, learning_rate) that moves self.weights before computing
    weightsᵀ·grad for the layer below (in batches, and in the video's loop over one example at
    a time): the layer above agrees, the one below does not, and the update check points at
    the line that steps the weights too early."""
    path = layered / name
    text = path.read_text()
    early = ("        self.weights -= learning_rate * weights_gradient\n"
             f"        self.bias -= learning_rate * {bias}\n")
    late = f"        input_gradient = {late}\n"
    assert late + early in text
    path.write_text(text.replace(late + early, early + late))
    report = check_program(path)
    gradients = _result(report, "gradients")
    assert gradients.status == "wrong" and "the layer above agrees (network[2].weights, " \
        "network[2].bias)" in gradients.summary, gradients.summary
    update = _result(report, "update")
    assert update.status == "wrong" and update.where == \
        f"Dense.backward ({name}:{_line(path, 'self.weights -= learning_rate')})"


def test_the_videos_loop_over_one_example_at_a_time(layered):
    """The video's own program: keras's loader (not installed: a stand-in), x_train reshaped to
    (m, 784, 1) and `for x, y in zip(x_train, y_train)` in train: each example is a column, the
    step is the loop's lines with x and y the example handed in, the cost the video's
    np.mean(np.power(y_true - y_pred, 2)), a mean over each example's outputs (its
    mse_prime's 2 / np.size(y_true)), and an epoch runs batches of one."""
    report = check_program(layered / "video_examples.py")
    assert "column)" in report.notes[0], report.notes
    assert "averaged over each example's outputs" in _result(report, "gradients").summary or \
        "averaged over each example's outputs" in _result(report, "book").summary
    assert "batches of 1" in _result(report, "minibatches").summary


def test_the_videos_binary_cross_entropy_a_mean_over_the_outputs(layered):
    """The video's binary_cross_entropy, np.mean(-y_true * np.log(y_pred) - ...), and its prime
    divided by np.size(y_true), after a Sigmoid output layer: the cross-entropy averaged over
    each example's outputs, read as such, not as gradients a tenth too small."""
    path = layered / "video_examples.py"
    text = path.read_text()
    text = text.replace("def mse(y_true, y_pred):", """class Sigmoid(Activation):
    def __init__(self):
        def sigmoid(x):
            return 1 / (1 + np.exp(-x))

        def sigmoid_prime(x):
            s = sigmoid(x)
            return s * (1 - s)

        super().__init__(sigmoid, sigmoid_prime)


def binary_cross_entropy(y_true, y_pred):
    return np.mean(-y_true * np.log(y_pred) - (1 - y_true) * np.log(1 - y_pred))


def binary_cross_entropy_prime(y_true, y_pred):
    return ((1 - y_true) / (1 - y_pred) - y_true / y_pred) / np.size(y_true)


def mse(y_true, y_pred):""")
    text = text.replace("    Dense(40, 10),\n    Tanh()\n]", "    Dense(40, 10),\n    Sigmoid()\n]")
    text = text.replace("train(network, mse, mse_prime,",
                        "train(network, binary_cross_entropy, binary_cross_entropy_prime,")
    path.write_text(text)
    report = check_program(path)
    assert report.ok and all(r.status == "ok" for r in report.results
                             if r.check != "evaluation"), str(report)
    assert "sigmoid cross-entropy" in _result(report, "book").summary
    assert "averaged over each example's outputs" in _result(report, "book").summary


def test_an_nnfs_script_of_layer_objects_is_checked_whole(layered):
    """Neural Networks from Scratch as one script (layered/nnfs_script.py): dense1 =
    Layer_Dense(784, 64), ... made at module level, a top-level loop over epochs and batches of
    dense1.forward(batch_X) ... dense1.backward(...) and optimizer.update_params(dense1). The
    gradients are the layers' dweights and dbiases, the step the loop's lines, one epoch the
    loop run once with its `len(X) // BATCH_SIZE` computed from the checker's examples and the
    digits as its targets (its accuracy print compares them with an argmax)."""
    report = check_program(layered / "nnfs_script.py")
    assert report.ok and all(r.status == "ok" for r in report.results
                             if r.check != "evaluation"), str(report)
    assert "recognized a script of layer objects: dense1, dense2" in report.notes[0]
    assert "312 batches of 32" in _result(report, "minibatches").summary


def test_an_nnfs_optimizer_that_divides_by_the_batch_again_and_overlapping_batches(layered):
    """An Optimizer_SGD.update_params that divides dweights by len(layer.inputs), which the
    loss's backward already did: the step is m× too small, said at the optimizer's line; and
    batches cut two batch sizes long, which overlap."""
    path = _edited(layered / "nnfs_script.py",
                   "        layer.weights += -self.learning_rate * layer.dweights\n",
                   "        layer.weights += -self.learning_rate * layer.dweights "
                   "/ len(layer.inputs)\n")
    path = _edited(path, "        layer.biases += -self.learning_rate * layer.dbiases\n",
                   "        layer.biases += -self.learning_rate * layer.dbiases "
                   "/ len(layer.inputs)\n")
    path = _edited(path, "(step + 1) * BATCH_SIZE]\n        batch_y",
                   "(step + 2) * BATCH_SIZE]\n        batch_y")
    path = _edited(path, "batch_y = y[step * BATCH_SIZE:(step + 1) * BATCH_SIZE]",
                   "batch_y = y[step * BATCH_SIZE:(step + 2) * BATCH_SIZE]")
    report = check_program(path)
    update = _result(report, "update")
    assert update.status == "wrong" and "divided by m twice" in update.summary, update.summary
    assert update.where == (f"Optimizer_SGD.update_params (nnfs_script.py:"
                            f"{_line(path, 'layer.weights += ')})"), update.where
    minibatches = _result(report, "minibatches")
    assert minibatches.status == "wrong" and "batches overlap" in minibatches.summary


def test_a_fit_loop_that_steps_each_layer_and_cuts_a_shuffled_copy(layered):
    """fit written as learners also write it: the batch cut from a shuffled copy made before
    the loop (`X_sh = X[order]`, then `X_sh[start:start + batch_size]`) and the layers stepped
    in a loop of the fit itself (`for layer in self.layers: layer.step(lr)`), not by a method
    of the network: still its step, and every check passes."""
    path = _edited(layered / "net.py", """            order = np.random.permutation(len(X))
""", """            order = np.random.permutation(len(X))
            X_sh, Y_sh = X[order], Y[order]
""")
    path = _edited(path, """                idx = order[start:start + batch_size]
                out = self.forward(X[idx])
                running += self.loss.forward(out, Y[idx])
                self.backward()
                self.step(lr)""", """                xb = X_sh[start:start + batch_size]
                yb = Y_sh[start:start + batch_size]
                out = self.forward(xb)
                running += self.loss.forward(out, yb)
                self.backward()
                for layer in self.layers:
                    if isinstance(layer, Dense):
                        layer.W -= lr * layer.dW
                        layer.b -= lr * layer.db""")
    report = check_program(path)
    assert report.ok and all(r.status == "ok" for r in report.results), str(report)


def test_a_network_that_ends_in_tanh_is_read_as_such(layered):
    """The "from scratch" video ends its MNIST network in Tanh (trained with MSE on one-hot
    targets): the output layer's activation is tanh, and every check passes."""
    path = _edited(layered / "layer_list.py", "    Dense(40, 10),\n    Sigmoid(),\n]",
                   "    Dense(40, 10),\n    Tanh(),\n]")
    report = check_program(path)
    assert report.ok and all(r.status == "ok" for r in report.results
                             if r.check != "evaluation"), str(report)
    assert "tanh hidden layers, tanh output" in _result(report, "forward").summary


def test_an_nnfs_model_filled_by_its_scripts_calls_is_checked_whole(layered):
    """`model = Model()`, `model.add(Layer_Dense(X.shape[1], 128))`, ..., `model.set(loss=...,
    optimizer=Optimizer_SGD(learning_rate=0.05, decay=1e-3, momentum=0.9), ...)`,
    `model.finalize()`, run as the script runs them (X, which the loader would make, stands for
    rows of 784 inputs); forward(X, training) shown the inputs with training off; the step is
    train's loop lines with the optimizer's η set, the gradients the layers' dweights and
    dbiases; the validation loop inside train, `self.forward(batch_X, training=False)`, is not
    taken for the step. Every check runs and passes."""
    report = check_program(layered / "nnfs_model.py")
    assert report.ok and all(r.status == "ok" for r in report.results), str(report)
    assert "Model.layers holds 6 layers, 3 with weights" in report.notes[0], report.notes
    assert "η = 0.05 from its Optimizer_SGD's learning_rate" in report.notes, report.notes
    assert any("the lines of train's loop from forward to backward" in n for n in report.notes)


def test_an_nnfs_model_that_shuffles_images_and_labels_apart(layered):
    """np.random.shuffle(X) then np.random.shuffle(y): two permutations, so every image meets
    another's label; the epoch is watched where the backward pass gets its targets, and the
    minibatches check says so at the loop."""
    path = _edited(layered / "nnfs_model.py",
                   "                keys = np.random.permutation(len(X))\n"
                   "                X, y = X[keys], y[keys]\n",
                   "                np.random.shuffle(X)\n"
                   "                np.random.shuffle(y)\n")
    report = check_program(path)
    minibatches = _result(report, "minibatches")
    assert minibatches.status == "wrong" and "other examples' labels" in minibatches.summary
    assert "shuffled apart" in " ".join(minibatches.details), minibatches.details
    assert [r.check for r in report.results if r.status == "wrong"] == ["minibatches"]
