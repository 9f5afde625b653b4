"""keras: bases against Keras: each Keras application (include_top=False, weights=None) with random
weights and random BatchNormalization statistics, its weights saved as h5 the way the *_notop.h5
files are, and its output for a fixed input. bench/keras/applications-parity.ts loads each h5 into
the committed topology (assets/keras-topologies) with CNN Lab's loader and compares.

    .cache/bench-venv/bin/python bench/keras/applications-parity.py OUT_DIR [NAME...]
"""
import importlib.util
import json
import os
import sys

import numpy as np

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import tf_keras  # noqa: E402

# the same constructors the committed topologies were generated from
_gen = importlib.util.spec_from_file_location("gen", os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "generate-keras-topologies.py"))
gen = importlib.util.module_from_spec(_gen)
_gen.loader.exec_module(gen)
B = gen.BASES
rng = np.random.default_rng(3)
out = {}
OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
for name in sys.argv[2:] or list(B):
    m = B[name]()
    for l in m.layers:
        if isinstance(l, tf_keras.layers.BatchNormalization):
            l.set_weights([rng.uniform(0.5, 1.0, v.shape) if ("gamma" in v.name) else rng.uniform(1.0, 2.0, v.shape) if "moving_variance" in v.name else rng.normal(0, 0.1, v.shape) for v in l.weights])
    h, w = m.input_shape[1:3]
    x = ((np.arange(h * w * 3) * 7919) % 255).astype("float32").reshape(1, h, w, 3)
    if name != "efficientnet_b0":
        x = x / 127.5 - 1
    # EfficientNet with ImageNet weights divides by sqrt(std) once more after its Normalization:
    # the same as a Normalization whose variance is variance * std (what computes the output here)
    mean = np.array([0.485, 0.456, 0.406]); var = np.array([0.229, 0.224, 0.225]); std = var
    if name == "efficientnet_b0":
        n = m.get_layer("normalization")
        n.set_weights([mean, var * std, n.get_weights()[2]])
    y = m.predict(x, verbose=0)
    if name == "efficientnet_b0":
        n.set_weights([mean, var, n.get_weights()[2]])
    m.save_weights(os.path.join(OUT, f"{name}.h5"), save_format="h5")
    out[name] = {"shape": list(y.shape[1:]), "first": y.reshape(-1)[:256].tolist(), "sum": float(y.sum()), "abs": float(np.abs(y).sum()), "max": float(np.abs(y).max())}
    print(name, y.shape, float(np.abs(y).sum()))
    tf_keras.backend.clear_session()
json.dump(out, open(os.path.join(OUT, "expected.json"), "w"))
