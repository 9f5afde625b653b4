#!/usr/bin/env python3
"""Keras' side of bench/profile/graph-calls.mts: the frozen base's forward pass call by call
(predict_on_batch, the traced graph Keras predicts with; peer.py's loader and weights), with the
machine's busy / idle / steal CPU ticks over each call from /proc/stat.

  .cache/bench-venv/bin/python bench/profile/graph-calls-keras.py [base=inception_v3] [calls=12] [batch=16]
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "keras"))
import peer  # noqa: E402  (sets the TF environment before TensorFlow loads)
import numpy as np  # noqa: E402


def cpu_ticks():
    """[busy, idle, steal] ticks since boot, all CPUs (the first line of /proc/stat)."""
    with open("/proc/stat") as f:
        user, nice, system, idle, iowait, irq, softirq, steal = (int(v) for v in f.readline().split()[1:9])
    return [user + nice + system + irq + softirq, idle + iowait, steal]


def main():
    base = sys.argv[1] if len(sys.argv) > 1 else "inception_v3"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 16
    size = peer.BASES[base]["size"]
    m = peer.load_base(base, peer.DEFAULT_MODELS_DIR)
    x = np.random.default_rng(7).uniform(-1, 1, (n, size, size, 3)).astype(np.float32)
    m.predict_on_batch(x)  # traces the tf.function
    calls = []
    for _ in range(count):
        before = cpu_ticks()
        t = time.perf_counter()
        m.predict_on_batch(x)
        s = time.perf_counter() - t
        busy, idle, steal = (a - b for a, b in zip(cpu_ticks(), before))
        calls.append({"imgPerS": round(n / s, 1), "busy": busy, "idle": idle, "steal": steal})
    print(json.dumps({"side": "keras", "base": base, "batch": n, "calls": calls, "load1": round(os.getloadavg()[0], 2)}), flush=True)


if __name__ == "__main__":
    main()
