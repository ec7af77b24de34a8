"""check.funcs on the tutorial shapes: the video's program (init_params, forward_prop,
backward_prop, update_params, gradient_descent over the whole set) and Coursera's
(initialize_parameters(n_x, n_h, n_y), forward_propagation, backward_propagation,
update_parameters, nn_model), as learners write them: a count of examples the script part
sets, a training call inside main(), the sizes from layer_sizes(X, Y)."""

import shutil
from pathlib import Path

import pytest

from tinygrad_edu.check.program import check_program

TUTORIALS = Path(__file__).with_name("check_programs") / "tutorials"


@pytest.fixture
def tutorials(tmp_path):
    """A copy of tests/check_programs/tutorials: a script part that ran would fail there."""
    shutil.copytree(TUTORIALS, tmp_path / "tutorials")
    return tmp_path / "tutorials"


def _line(path, text):
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def _result(report, check):
    return next(r for r in report.results if r.check == check)


def test_the_videos_count_of_examples_is_each_batchs_own(tutorials):
    """`_, m_train = X_train.shape` in the script part, read by backward_prop's 1 / m_train:
    set to the examples of each batch the checks hand in, so every check runs; its one_hot(Y),
    sized by Y.max() + 1, gets the whole subset in the learning check, as gradient_descent
    trains on the whole set."""
    report = check_program(tutorials / "video_globals.py")
    assert report.ok and all(r.status == "ok" for r in report.results), str(report)
    assert any("m_train, which your script sets from its training data" in n
               for n in report.notes)
    assert "batches of 300" in _result(report, "learning").summary


def test_courseras_training_call_inside_main_gives_the_layer_sizes(tutorials):
    """nn_model(train_x, train_Y, n_h=32, ...) is called inside main(), which the script part
    calls under `if __name__ == "__main__":`: its n_h sizes initialize_parameters."""
    report = check_program(tutorials / "coursera_main.py")
    assert report.ok, str(report)
    assert "784-32-10" in _result(report, "forward").summary


def test_sizes_from_layer_sizes_and_an_update_that_returns_the_old_parameters(tutorials):
    """n_x, n_h, n_y = layer_sizes(X, Y) inside nn_model sizes the network; update_parameters
    computes new W1, ... into locals and returns the dict it was given: nothing moves."""
    path = tutorials / "kept_parameters.py"
    report = check_program(path)
    update = _result(report, "update")
    assert update.status == "wrong" and "changed no parameter" in update.summary
    assert update.where == f"update_parameters (kept_parameters.py:{_line(path, 'def update_')})"
    assert _result(report, "gradients").status == "ok"


def test_relus_derivative_of_the_wrong_layer_is_found_at_its_line(tutorials):
    """dZ1 = W2.T.dot(dZ2) * ReLU_deriv(Z2): the mask of the output layer's z (as wide as the
    hidden layer here, so nothing crashes)."""
    path = tutorials / "relu_of_z2.py"
    report = check_program(path)
    gradients = _result(report, "gradients")
    assert gradients.status == "wrong" and "b1" in gradients.summary
    assert gradients.where == f"backward_prop (relu_of_z2.py:{_line(path, 'ReLU_deriv(Z2)')})"


def test_a_softmax_over_every_entry_is_a_wrong_forward_pass(tutorials):
    """np.exp(Z) / np.sum(np.exp(Z)) with no axis: each column sums to about 1/m, so the
    forward pass is not the network its weights define; `m = X_train.shape[1]`, a global of the
    script part, is each batch's count."""
    report = check_program(tutorials / "softmax_over_all.py")
    forward = _result(report, "forward")
    assert forward.status == "wrong" and "differs from the network" in forward.summary
    assert any("m, which your script sets" in n for n in report.notes)


@pytest.mark.parametrize("name, lines, stepped", [
    ("inline_dict.py", "for name in params:", "params[name] -= lr * grads[name]"),
    ("inline_rebound.py", "W1 = W1 - alpha * dW1", "b2 = b2 - alpha * db2")])
def test_an_update_written_inside_the_training_loop_is_its_step(tutorials, name, lines, stepped):
    """No update function: the training function's loop steps the parameters itself after its
    backward call, in place over a dict (`for name in params: params[name] -= lr *
    grads[name]`) or by rebinding the video's names (`W1 = W1 - alpha * dW1`). Those lines are
    the update step, run with the names they read, and every check runs and passes."""
    path = tutorials / name
    report = check_program(path)
    assert report.ok and all(r.status == "ok" for r in report.results), str(report)
    first, last = _line(path, lines), _line(path, stepped)
    assert any(n.startswith("the update is the lines of") and f":{first}-{last})" in n
               for n in report.notes), report.notes
    assert _result(report, "update").summary.startswith("one call of the update in ")


def test_an_inline_update_that_skips_the_biases_or_climbs_is_found_at_its_line(tutorials):
    """The same programs with a bug in their inline lines: a loop over the weights' keys only
    (the biases never move) and a W2 stepped up its gradient, each said at its line."""
    path = tutorials / "inline_dict.py"
    path.write_text(path.read_text().replace("for name in params:", 'for name in ["W1", "W2"]:'))
    update = _result(check_program(path), "update")
    assert update.status == "wrong" and "never updates params['b']" in update.summary
    assert update.where == f"the update in train (inline_dict.py:{_line(path, 'for name in')})"
    path = tutorials / "inline_rebound.py"
    path.write_text(path.read_text().replace("W2 = W2 - alpha", "W2 = W2 + alpha"))
    update = _result(check_program(path), "update")
    assert update.status == "wrong" and "W2: the sign is flipped" in update.summary
    assert update.where == (f"the update in gradient_descent (inline_rebound.py:"
                            f"{_line(path, 'W2 = W2 + alpha')})")


def test_an_inline_update_written_before_the_backward_call_uses_stale_gradients(tutorials):
    """The loop steps the parameters with `grads` before `grads = backward(...)` computes this
    batch's (zeros the first time): every step is a batch late. The gradients and the step's
    own lines are right, so the update check says it, at the stepping lines, naming the
    backward call's line; nothing else is blamed."""
    path = tutorials / "inline_dict.py"
    text = path.read_text()
    back = "            grads = backward(params, X[idx], h, probs, labels[idx])\n"
    step = ("            for name in params:\n"
            "                params[name] -= lr * grads[name]\n")
    assert back + step in text
    text = text.replace(back + step, step + back).replace(
        "    for epoch in range(epochs):\n",
        "    grads = {k: np.zeros_like(v) for k, v in params.items()}\n"
        "    for epoch in range(epochs):\n")
    path.write_text(text)
    report = check_program(path)
    update = _result(report, "update")
    assert update.status == "wrong" and update.summary.startswith(
        f"train steps the parameters (line {_line(path, 'for name in params:')}) before "
        f"`grads = backward(params, X[idx], h, probs, labels[idx])` (line "
        f"{_line(path, 'grads = backward(')})"), update.summary
    assert update.where == f"the update in train (inline_dict.py:{_line(path, 'for name in')})"
    assert [r.check for r in report.results if r.status == "wrong"] == ["update"], str(report)


def test_parameters_kept_in_one_list_and_stepped_by_a_comprehension(tutorials):
    """init_params() returns [W1, b1, W2, b2]; backward returns the gradients as a list in that
    order; train's loop steps them with `params = [p - lr * g for p, g in zip(params, grads)]`
    and takes both the one-hot Y and the labels. The parameters are params[0], ...; every check
    runs and passes, and a tanh' written as (1 − a) is found in the hidden layer."""
    path = tutorials / "listed_params.py"
    report = check_program(path)
    assert report.ok and all(r.status == "ok" for r in report.results), str(report)
    assert "init_params makes params[0], params[1], params[2], params[3] (columns)" in \
        report.notes[0]
    path.write_text(path.read_text().replace("(1 - A1 ** 2)", "(1 - A1)"))
    gradients = _result(check_program(path), "gradients")
    assert gradients.status == "wrong" and "the layer above agrees (params[2], params[3]) but " \
        "∂C/∂params[1] does not" in gradients.summary, gradients.summary


def test_a_list_appended_in_a_loop_and_sizes_handed_to_init_inside_train(tutorials):
    """init_network(sizes) appending W, b, W, b, ... as it walks the sizes, called inside train
    with a literal list ([784, 64, 32, 10]); forward returning every layer's activation as one
    list, handed to backward(params, activations, Y) as `acts`: read as params[0] ... params[5],
    the output the list's last entry, and every check passes. A hidden layer's tanh' written
    (1 - h1) is found in that layer."""
    path = tutorials / "appended_params.py"
    report = check_program(path)
    assert report.ok and all(r.status == "ok" for r in report.results), str(report)
    assert "init_network makes params[0], params[1], params[2], params[3], params[4], " \
        "params[5] (rows)" in report.notes[0], report.notes
    path.write_text(path.read_text().replace("(1 - h1 ** 2)", "(1 - h1)"))
    gradients = _result(check_program(path), "gradients")
    assert gradients.status == "wrong" and "the layer above agrees (params[2], params[3]) but " \
        "∂C/∂params[1] does not" in gradients.summary, gradients.summary


def test_a_script_loop_that_trains_the_functions_is_its_epoch(tutorials):
    """No training function: the script's own loop, `for epoch in range(epochs):` over
    `Xb = X_train[k:k + batch_size].T` (rows kept, columns cut) with `params =
    initialize_parameters(layer_dims)` above it, is run once as the epoch, on the checks' data
    turned back to rows and with the parameters the checks hold. Shuffling the images and the
    one-hot labels with two permutations is then found, at the shuffle."""
    path = tutorials / "script_loop.py"
    report = check_program(path)
    assert report.ok and all(r.status == "ok" for r in report.results
                             if r.check != "evaluation"), str(report)
    assert any(n.startswith("the loop at line ") for n in report.notes), report.notes
    assert "uses each of the 60,000 examples once" in _result(report, "minibatches").summary
    path.write_text(path.read_text().replace(
        "    perm = np.random.permutation(m)\n    X_train, Y_train = X_train[perm], "
        "Y_train[perm]\n", "    np.random.shuffle(X_train)\n    np.random.shuffle(Y_train)\n"))
    minibatches = _result(check_program(path), "minibatches")
    assert minibatches.status == "wrong" and "other examples' labels" in minibatches.summary
    assert minibatches.where == (f"the training loop (script_loop.py:"
                                 f"{_line(path, 'np.random.shuffle(X_train)')})")
