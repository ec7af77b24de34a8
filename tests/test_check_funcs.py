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
