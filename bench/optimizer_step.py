"""What does an optimiser written in Python cost? The time of one `step()` of `miniai.optim.Adam` against
`torch.optim.Adam(foreach=True)` (and, for scale, torch's per-parameter loop `foreach=False`) on the parameters of the
lesson CNN, in the same run. Prints the median time per step of each and the ratio of ours to torch's foreach Adam.

    python bench/optimizer_step.py [--repeats 7] [--steps 200] [--nfs 8 16 32 64]
"""
import argparse, statistics, time

import torch
from torch import optim

from miniai.learner import default_device, get_cnn
from miniai.optim import Adam

LR, WD = 1e-3, 1e-2

def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize()

def make_opt(opt_func, nfs, device):
    "An optimiser over a fresh lesson CNN whose parameters all hold a random gradient, warmed up by a few steps."
    torch.manual_seed(0)
    model = get_cnn(nfs=nfs).to(device)
    for p in model.parameters(): p.grad = torch.randn_like(p)
    opt = opt_func(model.parameters())
    for _ in range(10): opt.step()
    return opt

def time_steps(opt, n_steps, device):
    "Seconds per `step()`, averaged over `n_steps` steps."
    sync(device)
    start = time.perf_counter()
    for _ in range(n_steps): opt.step()
    sync(device)
    return (time.perf_counter() - start) / n_steps

def main(repeats: int, steps: int, nfs: list[int]):
    device = default_device()
    variants = {
        'miniai Adam': lambda ps: Adam(ps, LR, weight_decay=WD, decoupled_weight_decay=True),
        'torch Adam (foreach=True)': lambda ps: optim.Adam(ps, LR, weight_decay=WD, decoupled_weight_decay=True,
                                                           foreach=True),
        'torch Adam (foreach=False)': lambda ps: optim.Adam(ps, LR, weight_decay=WD, decoupled_weight_decay=True,
                                                            foreach=False),
    }
    opts = {name: make_opt(f, tuple(nfs), device) for name, f in variants.items()}
    times = {name: [] for name in variants}
    for _ in range(repeats):                     # interleaved, so drift in machine load hits all alike
        for name, opt in opts.items(): times[name].append(time_steps(opt, steps, device))
    n_params = sum(p.numel() for p in opts['miniai Adam'].param_groups[0]['params'])
    n_tensors = len(opts['miniai Adam'].param_groups[0]['params'])
    print(f"device: {device}, threads: {torch.get_num_threads()}, lesson CNN nfs={tuple(nfs)}: {n_tensors} tensors, "
          f"{n_params:,} parameters; median of {repeats} repeats of {steps} steps")
    base = statistics.median(times['torch Adam (foreach=True)'])
    for name, ts in times.items():
        print(f"{name:<28} {statistics.median(ts) * 1e6:8.1f} µs/step   ratio {statistics.median(ts) / base:5.2f}")
    print(f"miniai Adam / torch foreach Adam = {statistics.median(times['miniai Adam']) / base:.2f}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--repeats', type=int, default=7)
    p.add_argument('--steps', type=int, default=200)
    p.add_argument('--nfs', type=int, nargs='+', default=[8, 16, 32, 64], help="channels of the lesson CNN's convs")
    main(**vars(p.parse_args()))
