"""What does the Learner cost? One epoch (train + validation) of the lesson CNN through the `Learner` with
`DeviceCB`, `TrainCB`, `MetricsCB` and `ProgressCB`, against a bare PyTorch loop over the same tensors that computes
the same numbers (training and validation loss and accuracy), timed in the same run; then the same with
`ActivationStats` added. Prints the median time of each, its ratio to the bare loop's, and the range of that ratio
within single repeats.

    python bench/learner_overhead.py [--repeats 5] [--bs 256]
"""
import argparse, contextlib, io, statistics, time

import fastprogress.fastprogress as fp
import torch
import torch.nn.functional as F
from torch import optim

from miniai.datasets import DataLoaders
from miniai.hooks import ActivationStats
from miniai.learner import DeviceCB, Learner, MetricsCB, ProgressCB, TrainCB, default_device, get_cnn

LR = 0.1

def bare_epoch(model, dls, device):
    "The loop a PyTorch tutorial writes, reporting what the Learner reports: loss and accuracy of training and valid."
    opt = optim.SGD(model.parameters(), LR)
    model.to(device)
    def run(dl, training):
        model.train(training)
        total_loss, correct = torch.zeros((), device=device), torch.zeros((), device=device)
        for xb, yb in dl:
            xb, yb = xb.to(device), yb.to(device)
            preds = model(xb)
            loss = F.cross_entropy(preds, yb)
            if training: loss.backward(); opt.step(); opt.zero_grad()
            total_loss += loss.detach() * len(yb); correct += (preds.argmax(1) == yb).sum()
        return (total_loss / len(dl.x)).item(), (correct / len(dl.x)).item()
    train = run(dls.train, True)
    with torch.no_grad(): return train, run(dls.valid, False)

def learner_epoch(model, dls, device, extra=()):
    learn = Learner(model, dls, lr=LR, cbs=[DeviceCB(device), TrainCB(), MetricsCB(), ProgressCB(), *extra])
    with contextlib.redirect_stdout(io.StringIO()): learn.fit(1)

def timed(fn, *args):
    if torch.cuda.is_available(): torch.cuda.synchronize()
    start = time.perf_counter()
    fn(*args)
    if torch.cuda.is_available(): torch.cuda.synchronize()
    return time.perf_counter() - start

def main(repeats: int, bs: int):
    fp.NO_BAR = True                      # the bars' code runs, but prints nothing to the console
    device = default_device()
    dls = DataLoaders.fashion_mnist(bs=bs)
    variants = {
        'bare PyTorch loop': lambda m: bare_epoch(m, dls, device),
        'Learner': lambda m: learner_epoch(m, dls, device),
        'Learner + ActivationStats': lambda m: learner_epoch(m, dls, device, [ActivationStats()]),
    }
    times = {name: [] for name in variants}
    timed(variants['bare PyTorch loop'], get_cnn())          # warm-up: allocator, kernels, data in cache
    for _ in range(repeats):                                 # interleaved, so drift in machine load hits all alike
        for name, run in variants.items():
            torch.manual_seed(0)
            times[name].append(timed(run, get_cnn()))
    bare = times['bare PyTorch loop']
    print(f"device: {device}, threads: {torch.get_num_threads()}, batch size {bs}, {repeats} repeats, median epoch time;")
    print("the range is that of the ratio within each repeat, a measure of how much the machine's speed drifted")
    for name, ts in times.items():
        per_repeat = [t / b for t, b in zip(ts, bare)]
        print(f"{name:<28} {statistics.median(ts):7.3f} s   ratio {statistics.median(ts) / statistics.median(bare):5.3f}"
              f"   (per repeat {min(per_repeat):5.3f} to {max(per_repeat):5.3f})")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--repeats', type=int, default=5)
    p.add_argument('--bs', type=int, default=256)
    main(**vars(p.parse_args()))
