#!/usr/bin/env python3
"""The Keras side of bench/profile/forward-tfjs.mjs: the same base and weights (bench/keras/peer.py's
loader), random input, timed as Keras runs it in fit/predict (predict_on_batch: a traced
tf.function whose graph Grappler optimises, fusing Conv2D + BatchNorm + Relu6) and eagerly
(model(x): op by op, as tfjs runs); then PIL's decode+resize rate (flow_from_directory's loader).

  .cache/bench-venv/bin/python bench/profile/forward-keras.py [base=mobilenet_v2] [reps=3] [batch=32]
"""
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "keras"))
import peer  # noqa: E402  (sets the TF environment before TensorFlow loads)
import numpy as np  # noqa: E402


def main():
    base = sys.argv[1] if len(sys.argv) > 1 else "mobilenet_v2"
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 32
    size = peer.BASES[base]["size"]
    m = peer.load_base(base, peer.DEFAULT_MODELS_DIR)
    x = np.random.default_rng(1).random((n, size, size, 3), dtype=np.float32)
    out = {"side": "keras", "base": base, "batch": n}
    for mode in ["predict_on_batch", "eager_call"]:
        times = []
        # one untimed call first: predict_on_batch traces its tf.function on the first call
        (m.predict_on_batch(x) if mode == "predict_on_batch" else m(x, training=False).numpy())
        for _ in range(reps):
            t = time.perf_counter()
            if mode == "predict_on_batch":
                m.predict_on_batch(x)
            else:
                m(x, training=False).numpy()
            times.append(time.perf_counter() - t)
        out[mode] = {"seconds": [round(v, 3) for v in times], "imgPerSec": [round(n / v, 2) for v in times]}
    from tf_keras.preprocessing.image import img_to_array, load_img

    d = os.environ.get("IMAGES", os.path.join(HERE, "..", "..", "..", "shared", "datasets", "cats-vs-dogs", "train", "cats"))
    files = sorted(os.listdir(d))[:n]
    t = time.perf_counter()
    for f in files:
        img_to_array(load_img(os.path.join(d, f), target_size=(size, size)))
    out["pilDecodeImgPerSec"] = round(n / (time.perf_counter() - t), 1)
    out["load1"] = os.getloadavg()[0]
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
