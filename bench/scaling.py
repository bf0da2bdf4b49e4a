"""Lesson 11's measurements in one run, on whatever device this machine has.

1. Float32 against mixed precision (`MixedPrecisionCB`: bfloat16 on a CPU, float16 with loss scaling on a GPU): time
   per training epoch and peak memory, for the lesson CNN with BatchNorm and a CNN four times as wide. Each
   configuration runs in a fresh process, so that its peak memory is its own (GPU: `torch.cuda.max_memory_allocated`;
   CPU: the process's peak resident set minus its resident set before training, Linux's /proc).
2. Our from-scratch `BatchNorm` eager, compiled with `torch.compile`, and `nn.BatchNorm2d`: time per training step,
   the compile time (a first compile: the kernel caches are switched off), and the steps after which compiling pays off.

    .venv/bin/python bench/scaling.py            # everything (several minutes on a CPU: the compile alone takes ~30-60 s)
    .venv/bin/python bench/scaling.py --quick    # fewer steps

On a CPU, bfloat16 is not always faster: it depends on whether the CPU has bfloat16 instructions. The script prints
what it measures.
"""
from __future__ import annotations
import argparse, json, logging, resource, subprocess, sys, time, warnings

import torch
import torch._inductor.config
from torch import nn

from miniai.learner import Learner, TrainCB, DeviceCB, default_device, get_cnn
from miniai.norm import BatchNorm
from miniai.scaling import MixedPrecisionCB, break_even_steps, time_per_step

MODELS = {'lesson CNN': (8, 16, 32, 64), 'wide CNN (4x)': (32, 64, 128, 256)}
STEPS_PER_EPOCH = 235       # Fashion-MNIST's 60,000 training images in batches of 256
BS = 256

class RandomBatches:
    "`n` batches of random 28×28 images and labels: the cost of a step does not depend on what the pixels are."
    def __init__(self, n: int): self.n = n
    def __len__(self): return self.n
    def __iter__(self):
        for _ in range(self.n): yield torch.randn(BS, 1, 28, 28), torch.randint(0, 10, (BS,))

class Loaders:
    def __init__(self, n: int): self.train, self.valid = RandomBatches(n), RandomBatches(1)

def rss_bytes() -> int:
    "This process's resident set now (Linux), else 0."
    try: return int(open('/proc/self/statm').read().split()[1]) * resource.getpagesize()
    except OSError: return 0

def one_config(model_name: str, mixed: bool, n_steps: int) -> dict:
    "Train `n_steps` (after 3 warm-up steps) and report the time per epoch and the peak memory of this process."
    device = default_device()
    model = get_cnn(nfs=MODELS[model_name], norm=BatchNorm)
    baseline = rss_bytes()
    cbs = [TrainCB(), DeviceCB(device), *([MixedPrecisionCB()] if mixed else [])]
    learn = Learner(model, Loaders(3), lr=0.1, cbs=cbs)
    learn.fit(1, valid=False)                           # warm-up
    if device.type == 'cuda': torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
    learn.dls = Loaders(n_steps)
    start = time.perf_counter()
    learn.fit(1, valid=False)
    if device.type == 'cuda': torch.cuda.synchronize()
    secs = (time.perf_counter() - start) / n_steps
    peak = (torch.cuda.max_memory_allocated() if device.type == 'cuda'
            else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - baseline)
    return {'device': str(device), 'epoch_s': secs * STEPS_PER_EPOCH, 'peak_MiB': peak / 2**20,
            'dtype': str(cbs[-1].fit_dtype) if mixed else 'torch.float32'}

def precision_table(n_steps: int):
    print(f"1. float32 vs mixed precision, batch {BS}, epoch = {STEPS_PER_EPOCH} steps (timed over {n_steps})")
    for model_name in MODELS:
        res = {}
        for mixed in (False, True):
            out = subprocess.run([sys.executable, __file__, '--one', model_name, str(int(mixed)), str(n_steps)],
                                 capture_output=True, text=True, check=True)
            res[mixed] = json.loads(out.stdout.strip().splitlines()[-1])
        f32, mp = res[False], res[True]
        print(f"  {model_name:14} on {f32['device']}: float32 {f32['epoch_s']:6.1f} s/epoch, {f32['peak_MiB']:7.0f} MiB | "
              f"{mp['dtype'].replace('torch.', '')} {mp['epoch_s']:6.1f} s/epoch, {mp['peak_MiB']:7.0f} MiB | "
              f"time ratio fp32/mixed {f32['epoch_s'] / mp['epoch_s']:.2f}, memory ratio {f32['peak_MiB'] / mp['peak_MiB']:.2f}")

def compile_table(n_steps: int):
    logging.getLogger('torch.utils.cpp_extension').setLevel(logging.ERROR)
    torch._inductor.config.force_disable_caches = True          # a first compile, not one read from an earlier run's cache
    warnings.filterwarnings('ignore', message='dynamo_pgo force disabled')
    device = default_device()
    x = torch.randn(256, 32, 14, 14, device=device)
    ours, torch_bn = BatchNorm(32).to(device), nn.BatchNorm2d(32).to(device)
    compiled = torch.compile(BatchNorm(32).to(device))
    start = time.perf_counter()
    time_per_step(compiled, x, n_steps=1, warmup=0)
    compile_s = time.perf_counter() - start
    t = {'eager': time_per_step(ours, x, n_steps), 'compiled': time_per_step(compiled, x, n_steps),
         'nn.BatchNorm2d': time_per_step(torch_bn, x, n_steps)}
    n_star = break_even_steps(compile_s, t['eager'], t['compiled'])
    print(f"2. BatchNorm(32) training step on (256, 32, 14, 14), {device}: compile {compile_s:.1f} s")
    print('  ' + ', '.join(f"{k} {1000 * v:.2f} ms" for k, v in t.items()))
    print(f"  ratios: eager/compiled {t['eager'] / t['compiled']:.2f}, eager/torch {t['eager'] / t['nn.BatchNorm2d']:.2f}, "
          f"compiled/torch {t['compiled'] / t['nn.BatchNorm2d']:.2f}; compiling pays off after {n_star:.0f} steps "
          f"({n_star / STEPS_PER_EPOCH:.1f} epochs of {STEPS_PER_EPOCH})")

if __name__ == '__main__':
    if len(sys.argv) > 1 and sys.argv[1] == '--one':
        print(json.dumps(one_config(sys.argv[2], bool(int(sys.argv[3])), int(sys.argv[4]))))
        sys.exit()
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--quick', action='store_true', help='fewer timed steps')
    args = p.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {default_device()}")
    precision_table(10 if args.quick else 30)
    compile_table(5 if args.quick else 20)
