"""Train the lesson CNN on Fashion-MNIST, in one process or data-parallel over several (lesson 11).

One process (the GPU if there is one, else the CPU):
    python scripts/train_cnn.py --epochs 3
Two processes on this machine, each with its share of every batch (gloo on CPUs, NCCL on GPUs):
    torchrun --standalone --nproc_per_node 2 scripts/train_cnn.py --cpu
One process per GPU on a machine with 4 GPUs, float16 autocast with loss scaling:
    torchrun --standalone --nproc_per_node 4 scripts/train_cnn.py --mixed-precision fp16

`--bs` is the batch of each process: the global batch is `bs` times the number of processes.
"""
from __future__ import annotations
import argparse, os
from functools import partial
from pathlib import Path

import torch
from torch import optim

from miniai.datasets import DataLoaders
from miniai.kaiming import NormaliseCB, init_weights
from miniai.learner import BatchTransformCB, Callback, fit_recipe, get_cnn
from miniai.norm import BatchNorm, LayerNorm
from miniai.scaling import AccelerateCB, CheckpointCB, MixedPrecisionCB, ResumeCB

NORMS = {'batch': BatchNorm, 'layer': LayerNorm, 'none': None}
PRECISIONS = {'no': None, 'bf16': torch.bfloat16, 'fp16': torch.float16}
MOMENTUM = 0.9      # SGD momentum, as in lessons 08 and 11

def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--epochs', type=int, default=3)
    p.add_argument('--bs', type=int, default=256, help='batch size of each process (global batch: bs × processes)')
    p.add_argument('--lr', type=float, default=0.1)
    p.add_argument('--norm', choices=NORMS, default='batch', help='norm layer after each conv')
    p.add_argument('--mixed-precision', choices=PRECISIONS, default='no', help='autocast dtype (MixedPrecisionCB)')
    p.add_argument('--n-train', type=int, default=None, help='train on the first N training images only')
    p.add_argument('--n-valid', type=int, default=None, help='validate on the first N test images only')
    p.add_argument('--float64', action='store_true', help='weights and inputs in float64 (to compare runs beyond float32 rounding)')
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--cpu', action='store_true', help='train on the CPU even where there is a GPU')
    p.add_argument('--checkpoint', default=None, help="save a checkpoint after every epoch, e.g. 'ckpt/epoch{epoch}.pt'")
    p.add_argument('--resume', default=None, help='continue the run saved in this checkpoint, after its epoch')
    p.add_argument('--out', type=Path, default=None,
                   help="folder for each process's record, rank<r>.pt: final parameters, samples seen, history")
    return p.parse_args(argv)

class RecordCB(Callback):
    "Per epoch: the indices of the training samples this process was given, and how many validation samples were counted."
    def before_fit(self, learn): self.seen, self.n_valid = [], []
    def before_epoch(self, learn):
        self.served = learn.dl.dataset.served = []
        self.counted = 0
    def after_batch(self, learn):
        if not learn.training: self.counted += len(learn.batch[1])
    def after_epoch(self, learn):
        if learn.training: self.seen.append(torch.cat(self.served))
        else: self.n_valid.append(self.counted)

def fashion_loaders(bs: int, n_train: int | None, n_valid: int | None) -> DataLoaders:
    "Fashion-MNIST loaders of batch `bs`, on the first `n_train` / `n_valid` images if given."
    d = DataLoaders.fashion_mnist(bs=bs)
    t, v = d.train, d.valid
    return DataLoaders.from_tensors(t.x[:n_train], t.y[:n_train], v.x[:n_valid], v.y[:n_valid], bs=bs, tfm=t.tfm)

def main(args: argparse.Namespace):
    accelerate_cb = AccelerateCB(**({"cpu": True} if args.cpu else {}))
    main_process, rank = accelerate_cb.is_main_process, accelerate_cb.acc.process_index
    if 'WORLD_SIZE' not in os.environ:
        print("running as 1 process (not started by torchrun). For data-parallel training start it with: "
              "torchrun --standalone --nproc_per_node 2 scripts/train_cnn.py ...")
    dls = fashion_loaders(args.bs, args.n_train, args.n_valid)
    record, dtype = RecordCB(), PRECISIONS[args.mixed_precision]
    cbs = [NormaliseCB.from_loader(dls.train), accelerate_cb, record, *([MixedPrecisionCB(dtype)] if dtype else [])]
    if args.checkpoint: cbs.append(CheckpointCB(args.checkpoint))
    if args.resume: cbs.append(ResumeCB(args.resume))
    model = partial(get_cnn, norm=NORMS[args.norm])
    if args.float64:
        model = lambda: get_cnn(norm=NORMS[args.norm]).double()
        cbs.append(BatchTransformCB(torch.Tensor.double))     # after NormaliseCB (same order, later in the list)
    run = fit_recipe(model, dls, lr=args.lr, epochs=args.epochs, init=init_weights,
                     opt_func=partial(optim.SGD, momentum=MOMENTUM), cbs=cbs, seed=args.seed, quiet=not main_process)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        torch.save({'params': {k: v.cpu() for k, v in run.learn.model.state_dict().items()}, 'seen': record.seen,
                    'n_valid': record.n_valid, 'history': run.history, 'losses': run.losses,
                    'world_size': accelerate_cb.num_processes}, args.out / f'rank{rank}.pt')
    if main_process:
        print(f"{accelerate_cb.num_processes} process(es) on {accelerate_cb.acc.device}, global batch "
              f"{args.bs * accelerate_cb.num_processes}: valid accuracy {run.final():.4f} after {args.epochs} epochs")

if __name__ == '__main__': main(parse_args())
