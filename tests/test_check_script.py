"""check.script: a program with no functions at all (load the data, make W1, b1, ..., then one
top-level training loop of forward pass, δs, gradients and `W1 -= lr * dW1`) is checked from its
own loop, with no adapter code: its statements run on the checker's data, its loading never."""

import shutil
from pathlib import Path

import pytest

from tinygrad_edu.check.program import check_program

SCRIPTS = Path(__file__).with_name("check_programs") / "scripts"

# (file, the check that must flag it, what the finding must say, the source line it must be at)
BUGGY = [
    ("signflip_columns.py", "gradients", ("b2", "sign is flipped"), "error = Y - out"),
    ("no_relu_prime_rows.py", "gradients", ("b1", "relu'"), "dz1 = dz2 @ W2.T"),
    ("square_w_digits.py", "book", ("W2 itself", "transpose"), "delta1 = (delta2 @ W2)"),
    ("ascent_rows.py", "update", ("W1", "sign is flipped"), "W1 += lr * grad_W1"),
    ("overlap_columns.py", "minibatches", ("overlap",), "range(0, n, batch_size // 2)"),
    # one (784, 1) column at a time under `if __name__ == "__main__":`, targets 0.01/0.99 made
    # from the digits: W2 is stepped before the hidden δ reads it
    ("read_after_step_online.py", "update", ("steps W2", "before it reads it again"),
     "delta_h = (W2.T @ delta_o)"),
    # Nielsen's (x, y) pairs, one at a time; its cost line says quadratic, so a − y lacks σ′
    ("no_sigma_prime_pairs.py", "gradients", ("b2", "σ'"), "delta2 = (a2 - y)"),
    # the "test accuracy" scores the last training batch's output
    ("stale_test_accuracy.py", "evaluation", ("cached activations",),
     "test_acc = np.mean(predictions == y_test"),
    # b2 stepped with db1 (both (64,)): the update check names the swap, the backprop is right
    ("swapped_bias_gradient.py", "update", ("b2 is updated with the gradient of b1",),
     "b2 -= lr * db1"),
    # dW /= m in the backprop, then alpha = lr / m in the update
    ("divided_twice.py", "update", ("divided by m twice",), "W1 = W1 - alpha * dW1"),
    # start = 0 inside the loop over the batches: the same ten examples every step
    ("same_batch.py", "minibatches", ("10 of 60,000 used",), "for epoch in range(epochs)"),
    # the weights in lists W[i], b[i]: network.py inlined into the loop, stepped by list
    # comprehensions; its batches start at k, not k * batch_size
    ("overlap_lists.py", "minibatches", ("overlap",), "xb = X[:, k:k + batch_size]"),
    # lists theta, bias filled by a loop, the output error y − a with -= in the update
    ("signflip_lists_filled.py", "gradients", ("bias[2]", "sign is flipped"),
     "err = Y - outs[-1]"),
    # a forward(x) helper over the global lists; X_train and Y_train shuffled apart
    ("unpaired_shuffle_helper.py", "minibatches", ("other examples' labels",),
     "np.random.shuffle(X_train)"),
    # lists a loop fills, L = len(weights) after it, A = [X[:, cols]] as the first activation,
    # db[l] = np.mean(delta, ...) then alpha / batch_size * db[l]: the biases' step ÷m twice
    ("bias_divided_twice_lists.py", "gradients", ("biases[2]", "divided by the batch size twice"),
     "db[l] = np.mean(delta"),
]
CLEAN = ["clean_rows.py", "clean_digits_columns.py", "clean_online_vectors.py",
         "clean_main_guard.py", "clean_column_lists.py", "clean_pickle_batches.py",
         "clean_momentum.py", "clean_mse_every_entry.py", "clean_mse_batches.py",
         "clean_lists_columns.py", "clean_lists_rows.py", "clean_lists_online.py",
         "clean_lists_deep_helper.py", "clean_lists_permutation.py"]


@pytest.fixture
def scripts(tmp_path):
    """A copy of tests/check_programs/scripts: a loading or training line that ran would fail
    there (no data files) or leave files behind."""
    shutil.copytree(SCRIPTS, tmp_path / "scripts")
    return tmp_path / "scripts"


def _line(where):
    file, _, number = where.rpartition("(")[2].rstrip(")").partition(":")
    return (SCRIPTS / file).read_text().splitlines()[int(number) - 1]


@pytest.mark.parametrize("file, check, words, line", BUGGY, ids=[b[0] for b in BUGGY])
def test_a_scripts_bug_is_found_at_its_line(scripts, file, check, words, line):
    report = check_program(scripts / file)
    assert report.results[0].check != "load", report.results[0].summary
    result = next(r for r in report.results if r.check == check)
    text = "\n".join([result.summary, *result.details])
    assert result.status == "wrong", text
    assert all(w in text for w in words), text
    assert line in _line(result.where), result.where


@pytest.mark.parametrize("file", CLEAN)
def test_a_correct_script_passes(scripts, file):
    report = check_program(scripts / file)
    assert report.ok, "\n".join(f"{r.check}: {r.summary}" for r in report.wrong)
    assert report.results[0].check == "forward"
    assert sorted(p.name for p in scripts.iterdir()) == sorted(p.name for p in SCRIPTS.iterdir())


def test_the_script_is_read_in_its_own_names(scripts):
    """The notes say how the loop was read: its parameters, layout and batches, the forward
    pass's lines and output, each gradient's name and the η the script sets."""
    report = check_program(scripts / "clean_rows.py")
    text = str(report)
    assert "recognized a script with no functions" in text
    assert "W1, b1, W2, b2, W3, b3 (mini-batches, the examples as rows)" in text
    assert "W1 ← dW1" in text and "η = 0.05" in text
    assert "one epoch of the training loop (600 batches of 100)" in text


def test_a_full_batch_script_binds_what_its_data_makes(scripts):
    """Targets made from the labels (T = np.zeros((10, m)); T[labels, np.arange(m)] = 1) and
    m = X.shape[1] are computed again from each batch the checker hands in."""
    report = check_program(scripts / "clean_digits_columns.py")
    text = str(report)
    assert "1024-32-10" in text and "(full-batch, the examples as columns)" in text
    assert "uses each of the" in text


def test_one_example_at_a_time_is_read_as_such(scripts):
    """`for x, y in zip(X, Y):` with 1-D x: the checks hand the step one vector at a time, and
    the script's own accuracy over X_test after the loop is its evaluation."""
    text = str(check_program(scripts / "clean_online_vectors.py"))
    assert "(one example at a time, the examples as vectors (n,))" in text
    assert "its accuracy is line" in text and "✓ evaluation" in text


def test_a_cost_averaged_over_every_entry_is_read_as_such(scripts):
    """J = np.mean((A2 - Y) ** 2) and dA2 = 2 * (A2 - Y) / A2.size: the squared error averaged
    over every output of every example (PyTorch's MSELoss), not a gradient a tenth too small."""
    text = str(check_program(scripts / "clean_mse_every_entry.py"))
    assert "squared error ‖a − y‖² (averaged over every entry of the batch's outputs)" in text
    assert "✓ gradients" in text and "✓ update" in text


def test_weights_in_lists_are_read_a_layer_at_a_time(scripts):
    """W = [...] and B = [...], stepped by `for i in range(L): W[i] -= alpha / k * dW[i]`: each
    layer's array is a parameter (W[0], B[0], ...), its gradient the list entry the update
    subtracts, and the output the last entry of the activations the loop appends to."""
    text = str(check_program(scripts / "clean_lists_columns.py"))
    assert "updates W[0], B[0], W[1], B[1] (mini-batches, the examples as columns)" in text
    assert "W[0] ← dW[0] / k" in text and "ending in A[-1]" in text
    assert "its accuracy is line" in text and "(Xt, yt)" in text
    rows = str(check_program(scripts / "clean_lists_rows.py"))  # under __main__, 3 layers
    assert "Ws[2], bs[2] (mini-batches, the examples as rows)" in rows
    assert "the cost is softmax cross-entropy" in rows


def test_a_step_the_checker_cannot_bind_is_not_blamed_on_the_learner(scripts):
    """network.py's update_mini_batch written out in the loop (`for x, y in mini_batch:` inside
    the step): the checker finds no way to hand the step its batch, and says so at load, rather
    than reporting the error its own binding raises as the learner's."""
    report = check_program(scripts / "pairs_inside_batch.py")
    assert [r.check for r in report.results] == ["load"]
    assert "could not be run on the checker's examples" in report.results[0].summary
    assert "is not read yet" in report.results[0].summary


def test_a_test_accuracy_computed_by_a_helper_is_the_evaluation(scripts):
    """`test_acc = accuracy(X_test, y_test)`, with the argmax comparison inside a function of
    the file: that line is the evaluation, the test names bound to the checker's examples."""
    text = str(check_program(scripts / "clean_lists_permutation.py"))
    assert "its accuracy is line" in text and "(X_test, y_test)" in text
    assert "✓ evaluation" in text


def test_a_loop_that_rebinds_its_name_steps_nothing(scripts):
    """clean_lists_columns.py with its update written as zip loops, the biases' one rebinding
    the loop's name (`b = b - ...`): B never moves, found at that loop's line."""
    path = scripts / "clean_lists_columns.py"
    text = path.read_text()
    old = ("            for i in range(L):\n                W[i] -= alpha / k * dW[i]\n"
           "                B[i] -= alpha / k * dB[i]\n")
    assert old in text
    path.write_text(text.replace(old, "            for w, gw in zip(W, dW):\n"
                                      "                w -= alpha / k * gw\n"
                                      "            for b, gb in zip(B, dB):\n"
                                      "                b = b - alpha / k * gb\n"))
    update = next(r for r in check_program(path).results if r.check == "update")
    assert update.status == "wrong" and "never updates B" in update.summary
    line = update.where.rpartition(":")[2].rstrip(")")
    assert path.read_text().splitlines()[int(line) - 1].strip() == "for b, gb in zip(B, dB):"
