"""The command line: `tinygrad-edu train | evaluate | check | explain | graph | bench | demo`.

This module only parses arguments, calls the library and turns bad input into a one-line error
with exit status 2; every command is a plain function you can also call from Python. It may
import every other module of the package.
"""

import argparse
import ast
import importlib.util
import inspect
import math
import os
import runpy
import shutil
import sys
import textwrap
import time
from pathlib import Path

from . import __version__, bench, check, presets, train, viz
from .explain import explain_preset  # `tinygrad_edu.explain` is the function explain()

# What a user can get wrong (a preset's setting, a file, a missing extra): reported in one line.
# Anything else is a bug in tinygrad_edu, and its traceback is what a bug report needs.
USER_ERRORS = (ValueError, OSError, ModuleNotFoundError)
DEMO_EPOCHS = 10  # 10 s of training on the 2-core machine of docs/benchmarks.md: 91% → 94% test
REFERENCED = [name for name, p in presets.PRESETS.items() if p.reference is not None]
EXAMPLES = """\
examples:
  tinygrad-edu demo                          train, check and draw Nielsen's network
  tinygrad-edu train --preset scratch --save scratch.npz --plot curves.png
  tinygrad-edu train --model my_model.py:forward --cost quadratic --layout columns
                                             your own model (params from init() in that file)
  tinygrad-edu evaluate --load scratch.npz   accuracy and confusion matrix
  tinygrad-edu check my_net.py               check your own network: forward, gradients,
                                             update, mini-batches, evaluation, learning
  tinygrad-edu check --preset 3b1b           the book's backprop against autograd
  tinygrad-edu explain --preset nielsen      the backward pass as chain-rule steps
  tinygrad-edu graph --collapse module --out nielsen.svg
  tinygrad-edu bench ops                     the engine against hand-written numpy
"""


CHECK_EPILOG = """\
examples:
  tinygrad-edu check network.py              Nielsen's network.py, found by convention
  tinygrad-edu check two_layer_net.py:TwoLayerNet --json
  tinygrad-edu check my_net.py --adapter my_adapter.py --graph failing.svg
  tinygrad-edu check --preset nielsen        the book's own backprop (no PATH)

"""


# ----- argument types ---------------------------------------------------------------------------

def _count(text):
    """A whole number ≥ 0 (argparse type)."""
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 0, got {text!r}")
    return n


def _positive(text):
    """A whole number ≥ 1 (argparse type)."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text!r}")
    return n


def _rate(text):
    """A finite number > 0, such as a learning rate (argparse type)."""
    try:
        x = float(text)
    except ValueError:
        x = 0.0
    if not (x > 0 and math.isfinite(x)):
        raise argparse.ArgumentTypeError(f"expected a number > 0 (finite), got {text!r}")
    return x


def _sizes(text):
    """Hidden layer sizes like 30 or 100,30 (argparse type)."""
    try:
        sizes = tuple(int(n) for n in text.split(",") if n.strip())
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected sizes ≥ 1 like 30 or 100,30, got {text!r}")
    return sizes


# ----- the parser -------------------------------------------------------------------------------

def _preset_arg(parser, names=None, default="nielsen"):
    names = names or list(presets.PRESETS)
    parser.add_argument("--preset", default=default, choices=names,
                        help="the network (default: nielsen; the presets are listed below)")


def _presets_epilog(names=None):
    lines = ["presets:"]
    for name in names or presets.PRESETS:
        p = presets.PRESETS[name]
        data = " on the 32x32 text digits" if p.dataset == "digits32" else ""
        settings = (f"{p.epochs} epochs{data}, batch {p.batch_size}, {p.optimizer} lr {p.lr:g}; "
                    f"target {p.target}")
        lines.append(f"  {name:9} {p.title}")
        lines += textwrap.wrap(settings, 79, initial_indent=" " * 12, subsequent_indent=" " * 14)
    return "\n".join(lines)


def build_parser():
    """The argparse parser of `tinygrad-edu`, with every command and option.

    >>> args = build_parser().parse_args(["train", "--hidden", "100,30", "--blas-threads", "2"])
    >>> args.command, args.hidden, args.blas_threads, args.epochs
    ('train', (100, 30), 2, None)
    """
    blas = ("OpenBLAS threads for numpy's matrix products (default: 1, the fastest for these "
            "small networks on a busy machine; 0: numpy's own default)")
    parser = argparse.ArgumentParser(
        prog="tinygrad-edu", epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Train, check and draw the networks of the books (Nielsen, Deep Learning\n"
                    "from Scratch, 3Blue1Brown) with a small autograd engine.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--blas-threads", type=_count, default=1, metavar="N", help=blas)
    # The same option after the command (`train --blas-threads 2`); SUPPRESS keeps the
    # subcommand's absent option from overwriting the one given before the command.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--blas-threads", type=_count, default=argparse.SUPPRESS, metavar="N",
                        help=blas)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name, summary, epilog=None):
        return sub.add_parser(name, parents=[common], help=summary, description=summary + ".",
                              epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter)

    p = command("train", "train a preset network, or your own model (--model), on the bundled "
                "MNIST (or the 32x32 digits)",
                _presets_epilog())
    _preset_arg(p, default=None)  # None: not given, so --model can refuse it
    p.add_argument("--epochs", type=_positive, metavar="N",
                   help="passes over the training set (default: the preset's)")
    p.add_argument("--lr", type=_rate, help="learning rate η (default: the preset's)")
    p.add_argument("--batch-size", type=_positive, metavar="N",
                   help="mini-batch size (default: the preset's)")
    p.add_argument("--hidden", type=_sizes, metavar="SIZES",
                   help="hidden layer sizes, e.g. 30 or 100,30 (default: the preset's)")
    p.add_argument("--activation", choices=presets.ACTIVATIONS,
                   help="the hidden layers' activation (default: the preset's)")
    p.add_argument("--loss", choices=list(presets.LOSSES), help="the cost (default: the preset's)")
    p.add_argument("--optimizer", choices=train.OPTIMIZERS,
                   help="momentum is SGD with momentum 0.9 (default: the preset's)")
    p.add_argument("--seed", type=_count, default=0,
                   help="seed of the initial weights and the shuffles (default: 0)")
    p.add_argument("--data", type=Path, metavar="DIR",
                   help="a folder of the four MNIST IDX files, or for digits32 a zip or folder "
                        "of the text digits (default: the bundled copy)")
    p.add_argument("--dtype", default="float32", choices=["float32", "float64"],
                   help="(default: float32)")
    p.add_argument("--limit", type=_positive, metavar="N",
                   help="train on the first N training images only (quick runs)")
    p.add_argument("--test-limit", type=_positive, metavar="N",
                   help="evaluate on the first N test images only")
    p.add_argument("--save", type=Path, metavar="W.npz",
                   help="write the trained network here, for evaluate --load and graph --load")
    p.add_argument("--plot", type=Path, metavar="CURVES.png",
                   help="draw the loss and test accuracy per epoch to this PNG (needs "
                        "matplotlib: pip install tinygrad-edu[plot])")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("--model", metavar="FILE.py:NAME",
                   help="train your own model instead of a preset: NAME in FILE.py is a "
                        "function forward(params, x), whose params come from the file's "
                        "init() (or init(seed)), or an nn.Module class or instance")
    p.add_argument("--init", metavar="NAME",
                   help="with --model: the function in FILE.py that returns the params dict, "
                        "or the dict or list that holds them (default: init)")
    p.add_argument("--cost", metavar="COST",
                   help=f"with --model: {', '.join(train.COSTS)}, or the name of a function "
                        "cost(out, Y) in FILE.py (default: cross_entropy)")
    p.add_argument("--layout", choices=["rows", "columns"],
                   help="with --model: x holds one image per row (m, 784) or per column "
                        "(784, m), Nielsen's (default: rows)")
    p.add_argument("--eager", action="store_true",
                   help="record every step instead of replaying the captured one (to compare)")

    p = command("evaluate", "the test accuracy and confusion matrix of a saved network")
    p.add_argument("--load", type=Path, required=True, metavar="W.npz",
                   help="a network written by train --save")
    p.add_argument("--data", type=Path, metavar="DIR",
                   help="a folder of MNIST IDX files (default: the bundled copy)")

    p = command("check", "check your own network (a .py file) or a preset's book δ-formula "
                         "backprop against autograd (exit status 1 when something is wrong)",
                CHECK_EPILOG + _presets_epilog(REFERENCED))
    p.add_argument("path", nargs="?", metavar="PATH[:TARGET]",
                   help="your program: a .py file, optionally with the class or function to "
                        "check (my_net.py:Network); without it, --preset is checked")
    _preset_arg(p, REFERENCED)
    p.add_argument("--like", choices=list(presets.PRESETS), metavar="PRESET",
                   help="with PATH: the preset your network follows: its cost and activation "
                        "are tried first where your program does not show them (" +
                        ", ".join(presets.PRESETS) + ")")
    p.add_argument("--adapter", type=Path, metavar="ADAPTER.py",
                   help="with PATH: a file defining adapter(program) -> check.Adapter, for "
                        "programs the checker does not recognize")
    p.add_argument("--graph", type=Path, metavar="OUT.svg",
                   help="with PATH: draw the failing gradient step, red/green (.svg, .png, .pdf "
                        "or .dot)")
    p.add_argument("--json", action="store_true",
                   help="with PATH: print the report as JSON, and nothing else on stdout")
    p.add_argument("--plot", type=Path, metavar="CURVES.png",
                   help="with PATH: draw the learning check's cost curves (needs matplotlib)")
    p.add_argument("--batch-size", type=_positive, default=10, metavar="N",
                   help="training examples in the batch (default: 10)")
    p.add_argument("--seed", type=_count, default=0,
                   help="seed of the weights and the batch (default: 0)")
    p.add_argument("--markdown", action="store_true", help="print the report as markdown")

    p = command("explain", "print a preset's backward pass as chain-rule steps",
                _presets_epilog())
    _preset_arg(p)
    p.add_argument("--source", action="store_true",
                   help="print instead the numpy function train replays for one step: the "
                        "captured tape, one line per step, named after the tensors")
    p.add_argument("--batch-size", type=_positive, default=10, metavar="N",
                   help="training examples in the batch (default: 10)")
    p.add_argument("--seed", type=_count, default=0,
                   help="seed of the weights and the batch (default: 0)")

    p = command("graph", "draw a preset's computation graph on a real batch with Graphviz",
                _presets_epilog())
    _preset_arg(p)
    p.add_argument("--load", type=Path, metavar="W.npz",
                   help="draw this trained network (from train --save; its preset replaces "
                        "--preset) instead of a freshly initialized one")
    p.add_argument("--collapse", choices=["module"], help="one box per layer")
    p.add_argument("--grad-flow", action="store_true",
                   help="label the edges with the norm of the gradient flowing back")
    p.add_argument("--rankdir", choices=["auto", *viz.RANKDIRS], default="auto",
                   help="layout direction: auto (by the graph's shape, to read at ~900 px), LR "
                        "left to right, TB top to bottom, RL, BT (default: auto)")
    p.add_argument("--batch-size", type=_positive, default=10, metavar="N",
                   help="training examples in the batch (default: 10)")
    p.add_argument("--seed", type=_count, default=0,
                   help="seed of the weights and the batch (default: 0)")
    p.add_argument("--out", type=Path, default=Path("graph.svg"), metavar="FILE",
                   help="graph.svg, .png, .pdf, or .dot for the DOT text (default: graph.svg)")

    p = command("bench", "time the engine against hand-written numpy δ-formula code")
    targets = p.add_subparsers(dest="what", required=True, metavar="WHAT")
    q = targets.add_parser("ops", parents=[common], help="per-op overhead and one training step",
                           description="µs per recorded op, and one forward+backward step of two "
                                       "MLPs, against numpy.")
    q.add_argument("--repeat", type=_positive, default=7, metavar="N",
                   help="runs per figure; each figure is their median (default: 7)")
    q.add_argument("--quick", action="store_true", help="shrunk loops: a smoke test, rough numbers")
    q = targets.add_parser("train", parents=[common], help="one epoch of MNIST",
                           description="one MNIST epoch of two MLPs, against hand-written numpy "
                                       "and Nielsen's per-example loop.")
    q.add_argument("--epochs", type=_positive, default=1, metavar="N",
                   help="timed epochs of each network; figures are medians (default: 1)")
    q.add_argument("--quick", action="store_true",
                   help="2,000 images: a smoke test, rough numbers")
    for q in targets.choices.values():
        q.add_argument("--eager", action="store_true",
                       help="time eager recording only, without the captured (jit) replay")

    p = command("demo", "train a preset, check its book backprop, draw the trained network",
                _presets_epilog())
    _preset_arg(p)
    p.add_argument("--epochs", type=_positive, default=DEMO_EPOCHS, metavar="N",
                   help=f"training epochs (default: {DEMO_EPOCHS})")
    p.add_argument("--limit", type=_positive, metavar="N",
                   help="train on the first N training images only (a quick look)")
    p.add_argument("--out", type=Path, default=Path("out"), metavar="DIR",
                   help="folder for the weights and the graphs (default: out)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser


# ----- the commands -----------------------------------------------------------------------------

def _output(path):
    """Check a graph's output path and make its folder, so a run does not fail at its end."""
    if path is not None:
        path = viz.graph_path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _load(path):
    """(preset, params) from a train --save file, or a ValueError/OSError that says what's wrong
    (train.load_network checks the file: missing, not an .npz, truncated, foreign, damaged)."""
    return train.load_network(path)


def _own_model(spec, init_name, cost):
    """(model, params, cost) from `--model FILE.py:NAME`: the file runs as a script would, but
    its `if __name__ == "__main__":` block does not."""
    path, _, name = spec.rpartition(":")
    if not path or not name:
        raise ValueError(f"train: --model {spec}: write FILE.py:NAME, e.g. my_model.py:forward")
    if not Path(path).is_file():
        raise FileNotFoundError(f"train: --model {spec}: no such file {path}")
    folder = str(Path(path).resolve().parent)
    if folder not in sys.path:  # as `python FILE.py` does: its own mnist_loader.py imports
        sys.path.insert(0, folder)
    names = runpy.run_path(path, run_name="tinygrad_edu_model")
    if name not in names:
        raise ValueError(f"train: {path} defines no {name!r}; it has "
                         f"{', '.join(k for k in names if not k.startswith('_'))}")
    model, params = names[name], None
    if inspect.isclass(model) and issubclass(model, train.Module):
        model = model()  # a Module class builds its layers in __init__
    if not isinstance(model, train.Module):
        if init_name not in names:
            raise ValueError(f"train: {path} has no {init_name}() to make the params of "
                             f"{name}(params, x); add one that returns a dict such as "
                             "{'W1': W1, 'b1': b1, ...}, or name it with --init (a function, "
                             "or the dict or list that holds the weights)")
        init = names[init_name]
        if isinstance(init, (dict, list, tuple)):  # the weights themselves, kept in a global
            params = init
        elif callable(init):
            params = init(0) if len(inspect.signature(init).parameters) == 1 else init()
        else:
            raise ValueError(f"train: --init {init_name}: in {path} it is a "
                             f"{type(init).__name__}; name a function that returns the params, "
                             "or the dict or list that holds them")
    if cost not in train.COSTS:
        if not callable(names.get(cost)):
            raise ValueError(f"train: --cost {cost}: use one of {', '.join(train.COSTS)} or "
                             f"the name of a function cost(out, Y) in {path}")
        cost = names[cost]
    return model, params, cost


def run_train_model(args):
    """`train --model FILE.py:NAME`: your own model, with the presets' epochs, bars and files."""
    settings = {"--preset": args.preset, "--hidden": args.hidden,
                "--activation": args.activation, "--loss": args.loss}
    given = [k for k, v in settings.items() if v is not None]
    if given:
        raise ValueError(f"train: {', '.join(given)} set a preset's network; with --model your "
                         "file defines the network (and --cost the cost)")
    plot = None if args.plot is None else train.plot_path(args.plot)  # curves -> curves.png
    model, params, cost = _own_model(args.model, args.init or "init",
                                     args.cost or "cross_entropy")
    hist = train.train(model, params=params, cost=cost, layout=args.layout or "rows",
                       epochs=args.epochs, lr=args.lr, batch_size=args.batch_size,
                       optimizer=args.optimizer, seed=args.seed, data=args.data,
                       dtype=args.dtype, save=args.save, plot=plot, train_limit=args.limit,
                       test_limit=args.test_limit, progress=not args.no_progress,
                       eager=args.eager)
    return _trained(hist, plot, "the parameters", " (read them with train.load_params)")


def run_train(args):
    """`train`: train.train with the options, then say where the network and the plot went.

    Every output path is checked before training; a diverged run exits 1 and leaves an existing
    --save file as it was (train writes the diverged network beside it)."""
    if args.model is not None:
        return run_train_model(args)
    own = {"--init": args.init, "--cost": args.cost, "--layout": args.layout}
    given = [k for k, v in own.items() if v is not None]
    if given:
        raise ValueError(f"train: {', '.join(given)} only go with --model FILE.py:NAME (your own "
                         "model); a preset's cost is --loss")
    plot = None if args.plot is None else train.plot_path(args.plot)  # curves -> curves.png
    hist = train.train(args.preset or "nielsen", epochs=args.epochs, lr=args.lr,
                       batch_size=args.batch_size, hidden=args.hidden,
                       activation=args.activation, loss=args.loss,
                       optimizer=args.optimizer, seed=args.seed, data=args.data,
                       dtype=args.dtype, save=args.save, plot=plot,
                       train_limit=args.limit, test_limit=args.test_limit,
                       progress=not args.no_progress, eager=args.eager)
    return _trained(hist, plot, "the network")


def _trained(hist, plot, what, how=""):
    """After train: say where the network (what) and the curves went; the exit status."""
    if hist.saved is not None:
        print(f"saved {what} to {hist.saved}{how}")
    if plot is not None:
        print(f"drew the training curves to {plot}")
    return 1 if hist.diverged else 0  # 1: the cost or the weights diverged


def run_evaluate(args):
    """`evaluate`: the accuracy and confusion matrix of a network saved by `train --save`."""
    train.evaluate(args.load, data=args.data)  # it checks the file before reading any data
    return 0


def run_check(args):
    """`check`: a learner's program (PATH) or a preset's book backprop against autograd; status 1
    when something is wrong."""
    if args.path is not None:
        return run_check_program(args)
    extra = [o for o, v in [("--like", args.like), ("--adapter", args.adapter),
                            ("--graph", args.graph), ("--plot", args.plot),
                            ("--json", args.json or None)] if v is not None]
    if extra:
        raise ValueError(f"{', '.join(extra)} {'needs' if len(extra) == 1 else 'need'} a "
                         f"program to check: tinygrad-edu check my_net.py {extra[0]} ...")
    report = check.check_preset(args.preset, batch_size=args.batch_size, seed=args.seed)
    print(report.to_markdown() if args.markdown else report)
    return 0 if report.ok else 1


def run_check_program(args):
    """`check PATH[:TARGET]`: every check of check_program on the learner's own program."""
    path, target = _program(args.path)
    # a plot your code shows while a check runs it (plt.show() at the end of an epoch) is drawn
    # off-screen, not opened in a window that would hold the check until it is closed
    os.environ.setdefault("MPLBACKEND", "Agg")
    adapter = _adapter(args.adapter) if args.adapter is not None else None
    report = check.check_program(f"{path}:{target}" if target else path, adapter=adapter,
                                 like=args.like, plot=_output(args.plot), seed=args.seed)
    log = sys.stderr if args.json else sys.stdout
    if args.json:
        print(report.to_json())
    else:
        print(report.to_markdown() if args.markdown else report)
    if args.graph is not None:
        _draw_failing_step(report, _output(args.graph), log)
    return 0 if report.ok else 1


def _program(text):
    """(path, target or None) of PATH[:TARGET], or a usage error naming what exists."""
    path, target = Path(text), None
    head, sep, tail = text.rpartition(":")
    if sep and tail and all(part.isidentifier() for part in tail.split(".")):
        path, target = Path(head), tail
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}; pass your program's .py file, e.g. "
                                "tinygrad-edu check my_net.py or my_net.py:Network")
    if target is not None:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
        except SyntaxError:  # the check reports it, with the learner's line
            return path, target
        names = [n.name for n in tree.body
                 if isinstance(n, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))]
        names += [t.id for n in tree.body if isinstance(n, ast.Assign)
                  for t in n.targets if isinstance(t, ast.Name)]
        if target.split(".")[0] not in names:
            raise ValueError(f"{path.name} defines no {target.split('.')[0]!r}; it defines "
                             f"{', '.join(names) or 'nothing at top level'}")
    return path, target


def _adapter(path):
    """The adapter(program) function of an --adapter file."""
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}; --adapter takes a .py file that "
                                "defines adapter(program) returning a check.Adapter")
    spec = importlib.util.spec_from_file_location(f"tinygrad_edu_adapter_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fn = getattr(module, "adapter", None)
    if not callable(fn):
        raise ValueError(f"{path} defines no function adapter(program); write one that takes "
                         "the loaded program (its module) and returns a check.Adapter")
    return fn


def _draw_failing_step(report, out, log):
    """Draw the first failing gradient step red/green (or, when every gradient agrees, the
    network's graph all green, saying so); without `dot`, write its .dot instead."""
    drawable = [r for r in report.results if r.loss is not None and r.report is not None]
    failing = next((r for r in drawable if not r.ok), None)
    if failing is None and not drawable:
        print(f"--graph: no gradient step was compared, so there is nothing to draw; nothing "
              f"written to {out}", file=log)
        return
    if failing is None:
        failing = drawable[0]
        print("--graph: every gradient agrees with autograd; drawing your network's graph, all "
              "green", file=log)
    graph = viz.draw(failing.loss, highlight=failing.report)
    try:
        written = viz.render(graph, out)
    except RuntimeError as e:  # no Graphviz `dot`: the DOT text still shows the graph
        written = viz.render(graph, out.with_suffix(".dot"))
        print(f"{e}\nwrote {written} instead", file=log)
        return
    print(f"drew the {'' if failing.ok else 'failing '}{failing.check} step to {written}",
          file=log)


def run_explain(args):
    """`explain`: a preset's backward pass, one chain-rule line per tape step."""
    if args.source:
        print(train.step_source(args.preset, batch_size=args.batch_size, seed=args.seed), end="")
    else:
        print(explain_preset(args.preset, batch_size=args.batch_size, seed=args.seed))
    return 0


def run_graph(args):
    """`graph`: draw a preset's network, fresh or loaded from `train --save`, with Graphviz."""
    preset, params, out = args.preset, None, _output(args.out)
    if args.load is not None:
        preset, params = _load(args.load)
    viz.graph_preset(preset, out, collapse=args.collapse,
                     grad_flow=args.grad_flow, batch_size=args.batch_size, seed=args.seed,
                     params=params, rankdir=args.rankdir)
    return 0


def run_bench(args):
    """`bench ops` / `bench train`: the shipped benchmarks, with their own BLAS threads."""
    threads = args.blas_threads or None  # 0: leave numpy's default
    if args.what == "ops":
        bench.bench_ops(repeat=args.repeat, quick=args.quick, blas_threads=threads,
                        eager=args.eager)
    else:
        bench.bench_train(epochs=args.epochs, quick=args.quick, blas_threads=threads,
                          eager=args.eager)
    return 0


def run_demo(args):
    """The README's main job: train a preset, check the book's backprop, draw the trained net."""
    start = time.perf_counter()
    preset = presets.get(args.preset)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    data = "the 32x32 text digits" if preset.dataset == "digits32" else "the bundled MNIST"
    print(f"== 1/3  Training {preset.title}\n        on {data}, {_epochs(args.epochs)} ==")
    weights = out / f"{preset.name}.npz"
    hist = train.train(preset, epochs=args.epochs, save=weights, train_limit=args.limit,
                       progress=not args.no_progress)

    print("\n== 2/3  The book's δ-formula backprop against autograd ==")
    report = None
    if preset.reference is None:
        print(f"the {preset.name!r} preset has no book backprop to check; try --preset nielsen")
    else:
        report = check.check_preset(preset.name)
        print(report)

    print("\n== 3/3  The trained network's computation graph ==")
    suffix = ".svg"
    if shutil.which("dot") is None:  # say how to install Graphviz once, not once per graph
        print(viz.MISSING_DOT.format(what="demo", fmt=".svg") + "\nwriting the DOT text instead")
        suffix = ".dot"
    graphs = [viz.graph_preset(preset, out / f"{preset.name}-{name}{suffix}", collapse=collapse,
                               params=hist.params)
              for collapse, name in [("module", "graph"), (None, "graph-full")]]

    print(f"\n== Summary ({time.perf_counter() - start:.0f} s) ==")
    print(f"test accuracy after {_epochs(len(hist.correct))}: {hist.accuracy:.2%} "
          f"({hist.correct[-1]} / {hist.n_test})")
    if report is not None:
        print(f"check: {report.diagnosis}")
    print(f"wrote: {weights} (tinygrad-edu evaluate --load {weights})")
    for path in graphs:
        print(f"       {path}")
    return 0 if report is None or report.ok else 1


def _epochs(n):
    return f"{n} epoch" + ("s" if n != 1 else "")


COMMANDS = {"train": run_train, "evaluate": run_evaluate, "check": run_check,
            "explain": run_explain, "graph": run_graph, "bench": run_bench, "demo": run_demo}


def _message(e):
    """An exception as one line for the user: an OSError without its [Errno n] prefix."""
    if isinstance(e, OSError) and e.strerror and e.filename:
        return f"{e.strerror}: {e.filename}"
    return str(e)


def _stdout_closed():
    """Point stdout at /dev/null, so that Python's final flush finds no closed pipe either."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (pytest's capture): nothing to flush
        pass


def main(argv=None):
    """Run one command line and return its exit status: 0 done, 1 a check failed or training
    diverged, 2 bad input (one line on stderr), 130 interrupted.

    >>> main(["check", "--preset", "nielsen", "--batch-size", "2"])  # doctest: +ELLIPSIS
    check nielsen...
    0
    """
    args = build_parser().parse_args(argv)
    try:
        if args.command == "bench":  # it sets (and reports) its own BLAS threads
            status = run_bench(args)
        else:
            with bench.limit_blas_threads(args.blas_threads or None):
                status = COMMANDS[args.command](args)
        sys.stdout.flush()  # a reader that went away (`| head`) shows up here, not at exit
        return status
    except BrokenPipeError:  # an OSError: caught first, and as quietly as `cat` would be
        _stdout_closed()
        return 141  # 128 + SIGPIPE, what the shell reports for a command stopped by `| head`
    except USER_ERRORS as e:
        print(f"tinygrad-edu {args.command}: error: {_message(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"tinygrad-edu {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
