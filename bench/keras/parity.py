#!/usr/bin/env python3
"""Checks that the Keras peer computes the same base features as tfjs from the same exported
weights: seeded random input in [0, 1] -> Keras features vs tfjs features (bench/keras/parity.mjs).
Usage: .cache/bench-venv/bin/python bench/keras/parity.py [--base mobilenet_v2|inception_v3]"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import peer  # noqa: E402  (sets TF env vars before TensorFlow loads)
import numpy as np  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", choices=sorted(peer.BASES), default="mobilenet_v2")
    p.add_argument("--n", type=int, default=2)
    p.add_argument("--models", default=peer.DEFAULT_MODELS_DIR)
    args = p.parse_args()
    size, cut = peer.BASES[args.base]["size"], peer.BASES[args.base]["cut"]
    x = np.random.default_rng(7).random((args.n, size, size, 3), dtype=np.float32)
    keras_out = peer.load_base(args.base, args.models).predict(x, verbose=0)
    with tempfile.TemporaryDirectory() as tmp:
        xin, yout = os.path.join(tmp, "x.f32"), os.path.join(tmp, "y.f32")
        x.tofile(xin)
        subprocess.run(
            ["node", os.path.join(os.path.dirname(__file__), "parity.mjs"), os.path.join(args.models, args.base),
             cut, xin, str(args.n), str(size), str(size), yout],
            check=True,
        )
        tfjs_out = np.fromfile(yout, dtype=np.float32).reshape(keras_out.shape)
    diff = np.abs(keras_out - tfjs_out)
    scale = float(np.abs(tfjs_out).max())
    ok = bool(diff.max() <= 1e-3 * max(scale, 1.0))
    print(json.dumps({"base": args.base, "shape": list(keras_out.shape), "maxAbsDiff": float(diff.max()),
                      "meanAbsDiff": float(diff.mean()), "maxAbsValue": scale, "ok": ok}))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
