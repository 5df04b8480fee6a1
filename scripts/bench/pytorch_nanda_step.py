#!/usr/bin/env python3
"""One full-batch training step of Nanda et al. 2023's model in PyTorch, timed: the reference side of
`grokcheck bench`'s train_step_ms.p113_nanda_full (BENCHMARKS.md). Our own code, written from
shared/spec/model.md ("Model switches") and shared/spec/papers/progress-measures/model-and-training.md:

  p = 113, tokens [a, b, p], classes p + 1; 1 layer, d_model 128, 4 heads (d_head 32), d_mlp 512; no LayerNorm,
  ReLU, no attention or unembedding biases; init N(0, 1)/sqrt(d_model) (W_U: /sqrt(classes)), biases 0;
  AdamW lr 1e-3, betas (0.9, 0.98), weight decay 1, LambdaLR warm-up min(step/10, 1); full batch: the 3830 pairs
  of a 0.3 split; loss: float64 log-softmax of the last position's logits (cross_entropy_high_precision).

Prints one JSON object: {"torch": version, "threads": n, "blas": ..., "median_ms": ..., "steps": n}.
Usage: python3 scripts/bench/pytorch_nanda_step.py [--threads N] [--steps N]   (Debian: apt-get install python3-torch)
"""
import argparse
import json
import statistics
import time

import torch

P, D, H, DMLP = 113, 128, 4, 512
DH = D // H


class Nanda(torch.nn.Module):
    def __init__(self, classes):
        super().__init__()
        r = lambda *shape, scale: torch.nn.Parameter(torch.randn(*shape) * scale)
        s = D ** -0.5
        self.W_E = r(P + 1, D, scale=s)
        self.W_pos = r(3, D, scale=s)
        self.W_Q, self.W_K, self.W_V, self.W_O = (r(D, D, scale=s) for _ in range(4))
        self.W_in = r(D, DMLP, scale=s)
        self.b_in = torch.nn.Parameter(torch.zeros(DMLP))
        self.W_out = r(DMLP, D, scale=s)
        self.b_out = torch.nn.Parameter(torch.zeros(D))
        self.W_U = r(D, classes, scale=classes ** -0.5)
        self.register_buffer('mask', torch.tril(torch.ones(3, 3)).bool())

    def forward(self, tokens):
        x = self.W_E[tokens] + self.W_pos  # [N, 3, D]
        n = x.shape[0]
        split = lambda t: t.view(n, 3, H, DH).transpose(1, 2)  # [N, H, 3, DH]
        q, k, v = split(x @ self.W_Q), split(x @ self.W_K), split(x @ self.W_V)
        scores = (q @ k.transpose(-1, -2)) / DH ** 0.5
        att = torch.softmax(scores.masked_fill(~self.mask, float('-inf')), dim=-1)
        x = x + (att @ v).transpose(1, 2).reshape(n, 3, D) @ self.W_O
        x = x + torch.relu(x @ self.W_in + self.b_in) @ self.W_out + self.b_out
        return x[:, -1] @ self.W_U


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--steps', type=int, default=40)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    grid = torch.cartesian_prod(torch.arange(P), torch.arange(P))
    train = grid[torch.randperm(P * P)[: int(0.3 * P * P)]]
    tokens = torch.cat([train, torch.full((len(train), 1), P)], dim=1)
    labels = (train[:, 0] + train[:, 1]) % P
    model = Nanda(P + 1)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.98), weight_decay=1.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: min(step / 10, 1))
    times = []
    for _ in range(args.steps + 5):
        start = time.perf_counter()
        logprobs = torch.log_softmax(model(tokens).to(torch.float64), dim=-1)
        loss = -logprobs.gather(-1, labels[:, None]).mean()
        loss.backward()
        opt.step()
        sched.step()
        opt.zero_grad()
        times.append((time.perf_counter() - start) * 1000)
    config = torch.__config__.show()
    blas = config.split('BLAS_INFO=')[1].split(',')[0] if 'BLAS_INFO=' in config else 'unknown'
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'blas': blas,
                      'median_ms': statistics.median(times[5:]), 'steps': args.steps, 'train_pairs': len(train)}))


if __name__ == '__main__':
    main()
