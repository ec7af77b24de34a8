"""What each program in tests/learners/ is and which bugs it holds, for the checker's tests.

Every program is a learner's from-scratch numpy MNIST network as it sits on the learner's disk: the
training run at module level, its own loader beside it reading files only the learner has. A Case
names the file, what `tinygrad-edu check path:Target` would name, the code's style, data and layout,
and its bugs in the order a learner meets them: bugs[0] is the primary one, the bug that makes the
program fail first. Data only: stdlib dataclasses, no pytest, nothing that runs a program.
"""

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Bug:
    """One mistake in a learner's program and what a finding about it must say."""

    check: str  # the check that must flag it: "forward", "gradients", "update", "minibatches",
    # "evaluation", "learning", "book"
    names: tuple  # strings the finding must contain, in the learner's own terms: the function
    # ("feedforward", "test") and/or parameter names ("self.weights[0]", "params['b1']", "W1")
    line: str  # a substring of the learner's source line at fault ("" if no line is at fault)
    what: str  # one sentence, as a teacher would explain the bug


@dataclass(frozen=True)
class Case:
    """One learner program; bugs=() means the checker must pass it clean."""

    path: str  # relative to tests/learners/: "seed001/network.py"
    target: str | None  # what `check path:Target` names ("Network", "TwoLayerNet"); None: module
    style: str  # "nielsen", "nielsen2", "dlfs", "dlfs4", "functional", "coursera", "nnfs",
    # "rashid", "3b1b", "script"
    data: str  # "mnist" or "digits32"
    layout: str  # "columns" or "rows": how the learner's code holds examples
    layout_notes: str  # what the learner's loader returns (types, shapes, label format) and the
    # learner's own hyper-parameters (η, batch size) as their code states them
    bugs: tuple = ()  # of Bug, the primary (first met) bug first
    fixed: str | None = None  # path of the corrected version (itself a Case with bugs=())

    @property
    def file(self):
        """The program's absolute path."""
        return HERE / self.path

    @property
    def primary(self):
        """The bug a learner meets first, or None for a clean program."""
        return self.bugs[0] if self.bugs else None


SEED000_NOTES = (
    "data_loader.load_mnist() reads ./MNIST/*.idx?-ubyte and returns (training_data, test_data), "
    "lists of (x, label): x a float64 ndarray (784,) in [0, 1], label a Python int (not one-hot; "
    "y(label) makes the one-hot (10,) target). 784-16-16-10 sigmoid, W[i] (n_out, n_in), 1-D "
    "biases B[i]; cost Σ(a − y)² without ½ (ga = 2(a − y)); gradient averaged over the mini-batch. "
    "Hyper-parameters: NN.train(training_data, 30, 3.0) (epochs, η); mb_size = 125 inside train(). "
    "Evaluation: test(test_data) returns a percentage. Activations live in self.layer[0..3]; "
    "feedforward(input) stores them and returns None."
)

SEED001_NOTES = (
    "mnist_loader.load_data_wrapper() gunzips Nielsen's mnist.pkl.gz from a hard-coded "
    "C:/Users/Tai/... path and returns (training_data, validation_data, test_data): training_data "
    "a list of (x (784, 1) float, y (10, 1) one-hot), validation/test lists of (x (784, 1), int "
    "label). Network([784, 30, 10]), sigmoid, quadratic cost ½‖a − y‖², per-example backprop "
    "summed and stepped by eta/len(mini_batch). Training call: net.SGD(training_data, 30, 10, 3.0, "
    "test_data=test_data): 30 epochs, mini-batch 10, η = 3.0. evaluate(test_data) returns a count."
)

SEED002_NOTES = (
    "dataset/mnist.py load_mnist(normalize=True, flatten=True, one_hot_label=True) downloads the "
    "IDX files, pickles them to dataset/mnist.pkl and returns (x_train, t_train), (x_test, "
    "t_test): x float32 (N, 784) in [0, 1], t one-hot float (N, 10). TwoLayerNet(784, 50, 10) in "
    "ch05/two_layer_net.py (imports common/ via sys.path.append(os.pardir)): params dict W1 (784, "
    "50), b1 (50,), W2, b2; layers OrderedDict Affine1/Relu1/Affine2 + SoftmaxWithLoss (mean "
    "cross-entropy, 1e-7 inside the log); the Affine layers hold the same arrays as params, so "
    "params must be updated in place. gradient(x, t) and numerical_gradient(x, t) return dicts of "
    "mean-loss gradients; accuracy(x, t) returns a fraction. The training loop is the separate "
    "script ch05/train_neuralnet.py: batch_size = 100 drawn with np.random.choice (with "
    "replacement), learning_rate = 0.1, iters_num = 10000, update network.params[key] -= lr·grad."
)

SEED003_NOTES = (
    "handwritingData('./trainingDigits') lists the folder and reads each 32×32 '0'/'1' text file "
    "with img2vector, returning (Mat, labels): Mat float64 (m, 1024) (stored on np.Mat), labels a "
    "list of ints from the file names '<digit>_<n>.txt'. Net: 1024-16-16-10 sigmoid, column "
    "vectors, W1 (16, 1024) ... b3 (10, 1); forward(X, y, activate) takes one column X (1024, 1) "
    "and a one-hot (10, 1) label, returns (Loss, y_hat); backward(y, activate) updates W and b in "
    "place with self.alpha and returns nothing, so gradients must be read from that update "
    "((before − after) / alpha). Cost SquareErrorSum ½Σ(ŷ − y)², online SGD (batch 1). "
    "Hyper-parameters: net.setLearnrate(0.01); net.train(trainMat, trainLabels, Epoch=2000). "
    "matplotlib is imported inside plotLosslist only (the seed imported it at the top)."
)

CASES = [
    Case(
        path="seed000/neural_network.py", target="Neural_Network", style="3b1b", data="mnist",
        layout="columns", layout_notes=SEED000_NOTES,
        bugs=(
            Bug("evaluation", ("test",), "np.argmax(self.layer[3])",
                "test() compares every label with the output left in self.layer[3] by the last "
                "forward pass instead of running feedforward on each test image, so every image "
                "gets the same prediction."),
            Bug("update", ("gradient_step",), "ga = 2*(self.layer[3]-self.y(label))",
                "gradient_step never runs the forward pass for the current image (the line under "
                "'# Set the layer outputs' is missing), so backprop uses the activations of an "
                "earlier pass (or the initial zeros) and the step is not the mini-batch's "
                "gradient."),
            Bug("minibatches", ("train",), "for k in range(len(training_data)//mb_size)",
                "the mini-batches start at k = 0, 1, 2, ... instead of stepping by mb_size, so "
                "one epoch uses only the first len//mb_size + mb_size examples, in batches that "
                "overlap almost entirely."),
        ),
        fixed="seed000_fixed/neural_network.py",
    ),
    Case(
        path="seed000_fixed/neural_network.py", target="Neural_Network", style="3b1b",
        data="mnist", layout="columns", layout_notes=SEED000_NOTES,
    ),
    Case(
        path="seed001/network.py", target="Network", style="nielsen", data="mnist",
        layout="columns", layout_notes=SEED001_NOTES,
        bugs=(
            Bug("forward", ("feedforward",), "a = sigmoid(np.dot(w, a) + b)",
                "feedforward computes the output but has no `return a`, so it returns None and "
                "evaluate() counts argmax(None) = 0 as every prediction."),
        ),
        fixed="seed001_fixed/network.py",
    ),
    Case(
        path="seed001_fixed/network.py", target="Network", style="nielsen", data="mnist",
        layout="columns", layout_notes=SEED001_NOTES,
    ),
    Case(
        path="seed002/ch05/two_layer_net.py", target="TwoLayerNet", style="dlfs", data="mnist",
        layout="rows", layout_notes=SEED002_NOTES,
    ),
    Case(
        path="seed003/net.py", target="Net", style="3b1b", data="digits32", layout="columns",
        layout_notes=SEED003_NOTES,
    ),
]
