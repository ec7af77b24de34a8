"""The command line: `tinygrad-edu train | evaluate | check | explain | graph | bench | demo`.

This module only parses arguments and calls the library; every command is a plain function you
can also call from Python. It may import every other module of the package.
"""

import argparse
import sys
import time
from pathlib import Path

from . import bench, check, explain, presets, train, viz


def _ints(text):
    try:
        return tuple(int(n) for n in text.split(",") if n.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 30 or 100,30: {text!r}") from None


def _preset_arg(parser, default="nielsen", names=None):
    names = names or list(presets.PRESETS)
    parser.add_argument("--preset", default=default, choices=names,
                        help=f"the network to use (default: {default})")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="tinygrad-edu",
        description="Train, check and draw the networks of the books, with a small autograd.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("train", help="train a preset network on the bundled MNIST")
    _preset_arg(p)
    p.add_argument("--epochs", type=int)
    p.add_argument("--lr", type=float)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--hidden", type=_ints, help="hidden layer sizes, e.g. 30 or 100,30")
    p.add_argument("--activation", choices=presets.ACTIVATIONS)
    p.add_argument("--loss", choices=list(presets.LOSSES))
    p.add_argument("--optimizer", choices=["sgd", "momentum", "adam"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", type=Path, help="a directory of MNIST IDX files (default: bundled)")
    p.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    p.add_argument("--limit", type=int, help="train on only the first N images (quick runs)")
    p.add_argument("--save", type=Path, help="write the trained weights to this .npz file")
    p.add_argument("--plot", type=Path, help="write loss and accuracy curves to this PNG")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")

    p = sub.add_parser("evaluate", help="accuracy and confusion matrix of saved weights")
    p.add_argument("--load", type=Path, required=True, help="a .npz written by train --save")
    p.add_argument("--data", type=Path, help="a directory of MNIST IDX files (default: bundled)")

    p = sub.add_parser("check", help="compare a preset's δ-formula backprop with autograd")
    _preset_arg(p, names=[n for n, q in presets.PRESETS.items() if q.reference is not None])
    p.add_argument("--batch-size", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--markdown", action="store_true", help="print the report as markdown")

    p = sub.add_parser("explain", help="print the backward pass as chain-rule steps")
    _preset_arg(p)
    p.add_argument("--batch-size", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)

    p = sub.add_parser("graph", help="draw a preset's computation graph with graphviz")
    _preset_arg(p)
    p.add_argument("--collapse", choices=["module"], help="one box per layer")
    p.add_argument("--grad-flow", action="store_true", help="label edges with gradient norms")
    p.add_argument("--batch-size", type=int, default=10)
    p.add_argument("--out", type=Path, default=Path("graph.svg"),
                   help="output file: .svg, .png, .pdf or .dot (default: graph.svg)")

    p = sub.add_parser("bench", help="time the engine against hand-written numpy")
    p.add_argument("what", choices=["ops", "train"])
    p.add_argument("--quick", action="store_true", help="a short run (for smoke tests)")

    p = sub.add_parser("demo", help="train MNIST, verify its gradients, draw its graph")
    _preset_arg(p)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--out", type=Path, default=Path("out"), help="folder for the outputs")
    return parser


def run_train(args):
    train.train(args.preset, epochs=args.epochs, lr=args.lr, batch_size=args.batch_size,
                hidden=args.hidden, activation=args.activation, loss=args.loss,
                optimizer=args.optimizer, seed=args.seed, data=args.data, dtype=args.dtype,
                save=args.save, plot=args.plot, train_limit=args.limit,
                progress=not args.no_progress)
    return 0


def run_evaluate(args):
    train.evaluate(args.load, data=args.data)
    return 0


def run_check(args):
    report = check.check_preset(args.preset, batch_size=args.batch_size, seed=args.seed)
    print(report.to_markdown() if args.markdown else report)
    return 0 if report.ok else 1


def run_explain(args):
    print(explain.explain_preset(args.preset, batch_size=args.batch_size, seed=args.seed))
    return 0


def run_graph(args):
    viz.graph_preset(args.preset, args.out, collapse=args.collapse, grad_flow=args.grad_flow,
                     batch_size=args.batch_size)
    return 0


def run_bench(args):
    (bench.bench_ops if args.what == "ops" else bench.bench_train)(quick=args.quick)
    return 0


def run_demo(args):
    """The README's main job: train, verify the δ-formulas against autograd, draw the graph."""
    args.out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    print(f"== 1/3  Training the {args.preset!r} preset on the bundled MNIST ==")
    train.train(args.preset, epochs=args.epochs, save=args.out / f"{args.preset}.npz")
    print("\n== 2/3  Checking the book's δ-formula backprop against autograd ==")
    report = check.check_preset(args.preset)
    print(report)
    print("\n== 3/3  Drawing the computation graph ==")
    for collapse, name in [("module", "graph"), (None, "graph-full")]:
        path = viz.graph_preset(args.preset, args.out / f"{args.preset}-{name}.svg",
                                collapse=collapse)
        print(f"wrote {path}")
    print(f"\ndone in {time.perf_counter() - start:.1f} s; outputs in {args.out}/")
    return 0 if report.ok else 1


COMMANDS = {"train": run_train, "evaluate": run_evaluate, "check": run_check,
            "explain": run_explain, "graph": run_graph, "bench": run_bench, "demo": run_demo}


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (ValueError, FileNotFoundError, RuntimeError, ImportError) as e:
        print(f"tinygrad-edu {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
