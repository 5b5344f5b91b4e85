#!/usr/bin/env python3
"""PyTorch CPU peer of bench:model's training step, for `npm run bench:peer`.

The same decoder as src/model/decoder.ts (Llama layout: RMSNorm, rotate-half
RoPE, causal attention, SwiGLU, untied head), the same step: forward +
backward of the mean next-token log-prob over batch x seq tokens (all real),
global-norm clipping at 1.0 and an AdamW update (betas 0.9/0.95, eps 1e-8,
weight decay 0.01). Prints one JSON line per (size, threads):
{"size","threads","ms","cpu_ms","loss"} with the median of the timed steps.

Usage: python3 scripts/bench-peer.py --sizes S,M --threads 1,2 --steps 3
Never a dependency of brevity: bench:peer skips PyTorch when this fails to import torch.
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F

SIZES = {
    "S": dict(vocab=64, d=128, layers=4, heads=4, ffn=512),
    "M": dict(vocab=64, d=256, layers=6, heads=8, ffn=1024),
}


class Decoder(torch.nn.Module):
    def __init__(self, vocab, d, layers, heads, ffn, max_pos):
        super().__init__()
        self.h, self.hd = heads, d // heads
        self.embed = torch.nn.Embedding(vocab, d)
        self.blocks = torch.nn.ModuleList()
        for _ in range(layers):
            b = torch.nn.Module()
            b.n1 = torch.nn.Parameter(torch.ones(d))
            b.qkv = torch.nn.Linear(d, 3 * d, bias=False)
            b.o = torch.nn.Linear(d, d, bias=False)
            b.n2 = torch.nn.Parameter(torch.ones(d))
            b.gate_up = torch.nn.Linear(d, 2 * ffn, bias=False)
            b.down = torch.nn.Linear(ffn, d, bias=False)
            self.blocks.append(b)
        self.norm = torch.nn.Parameter(torch.ones(d))
        self.head = torch.nn.Linear(d, vocab, bias=False)
        inv = 10000.0 ** (-torch.arange(0, self.hd, 2).float() / self.hd)
        ang = torch.arange(max_pos).float()[:, None] * inv[None, :]
        self.register_buffer("cos", torch.cat([ang.cos(), ang.cos()], -1))
        self.register_buffer("sin", torch.cat([ang.sin(), ang.sin()], -1))

    @staticmethod
    def rms(x, w, eps=1e-6):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w

    def rope(self, x, T):
        h = self.hd // 2
        rot = torch.cat([-x[..., h:], x[..., :h]], -1)
        return x * self.cos[:T] + rot * self.sin[:T]

    def forward(self, ids):
        B, T = ids.shape
        x = self.embed(ids)
        mask = torch.full((T, T), float("-inf")).triu(1)
        for b in self.blocks:
            q, k, v = b.qkv(self.rms(x, b.n1)).view(B, T, 3, self.h, self.hd).permute(2, 0, 3, 1, 4)
            q, k = self.rope(q, T), self.rope(k, T)
            s = (q @ k.transpose(-1, -2)) / math.sqrt(self.hd) + mask
            o = (s.softmax(-1) @ v).transpose(1, 2).reshape(B, T, -1)
            x = x + b.o(o)
            g, u = b.gate_up(self.rms(x, b.n2)).chunk(2, -1)
            x = x + b.down(F.silu(g) * u)
        return self.head(self.rms(x, self.norm))


def bench(size, threads, steps, batch, seq):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    c = SIZES[size]
    model = Decoder(c["vocab"], c["d"], c["layers"], c["heads"], c["ffn"], seq)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.01)
    ids = torch.randint(0, c["vocab"], (batch, seq))

    def step():
        logits = model(ids)[:, :-1]  # position t predicts token t+1, as sequenceLogProbs
        loss = F.cross_entropy(logits.reshape(-1, c["vocab"]), ids[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    step()  # warm-up
    walls, cpus, loss = [], [], 0.0
    for _ in range(steps):
        t0, c0 = time.perf_counter(), time.process_time()
        loss = step()
        walls.append((time.perf_counter() - t0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
    med = lambda xs: sorted(xs)[len(xs) // 2]
    return dict(size=size, threads=threads, ms=med(walls), cpu_ms=med(cpus), loss=loss)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="S,M")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seq", type=int, default=256)
    a = ap.parse_args()
    for s in a.sizes.split(","):
        for t in a.threads.split(","):
            print(json.dumps(bench(s, int(t), a.steps, a.batch, a.seq)), flush=True)
