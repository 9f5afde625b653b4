#!/usr/bin/env python3
"""End-to-end parity: a model directory trained by CNN Lab (base + head, tfjs layers format) is
loaded into Keras by layer name, the same image files are predicted by Keras (flow_from_directory's
loader: PIL, rescale 1/255) and by `cnn-lab predict`, and the class probabilities are compared.
Differences come only from decoding/resizing (sharp vs PIL) and float round-off; the weights are
the same. Prints one JSON line.

  .cache/bench-venv/bin/python bench/keras/predict-parity.py MODEL_DIR IMAGE_DIR [--n 64] [--backend tensorflow]
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import peer  # noqa: E402  (sets TF env vars before TensorFlow loads)
import numpy as np  # noqa: E402

REPO_ROOT = peer.REPO_ROOT


def load_model_dir(model_dir):
    import tf_keras as keras

    model_json, weights = peer.read_tfjs_weights(model_dir)
    topology = model_json["modelTopology"]
    topology = topology.get("model_config", topology)
    model = keras.models.model_from_json(json.dumps(topology))
    peer.assign_weights_by_name(model, weights, model_dir)
    return model


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model_dir")
    p.add_argument("image_dir", help="class-per-folder directory; the first --n files (sorted) are used")
    p.add_argument("--n", type=int, default=64)
    p.add_argument("--backend", default="tensorflow")
    p.add_argument("--interpolation", default="nearest", help="PIL resampling (Keras' default: nearest)")
    args = p.parse_args()
    from tf_keras.preprocessing.image import img_to_array, load_img

    meta = json.load(open(os.path.join(args.model_dir, "cnn-lab.json")))
    h, w = meta["inputSize"]
    files = sorted(
        os.path.join(args.image_dir, c, f)
        for c in sorted(os.listdir(args.image_dir))
        if os.path.isdir(os.path.join(args.image_dir, c))
        for f in os.listdir(os.path.join(args.image_dir, c))
    )
    step = max(1, len(files) // args.n)
    files = files[::step][: args.n]
    model = load_model_dir(args.model_dir)
    x = np.stack([img_to_array(load_img(f, target_size=(h, w), interpolation=args.interpolation)) / 255.0 for f in files])
    keras_p = model.predict(x, batch_size=32, verbose=0)
    run = subprocess.run(
        ["node", os.path.join(REPO_ROOT, "dist", "cli.js"), "predict", "--model", args.model_dir, "--backend", args.backend,
         "--json", "--top", str(len(meta["labels"])), "--image", *files],
        check=True, capture_output=True, text=True,
    )
    result = [json.loads(l) for l in run.stdout.splitlines() if l.startswith("{")][-1]
    ours_p = np.zeros_like(keras_p)
    for i, pr in enumerate(result["predictions"]):
        for t in pr["top"]:
            ours_p[i, t["index"]] = t["probability"]
    diff = np.abs(ours_p - keras_p)
    agree = float((ours_p.argmax(1) == keras_p.argmax(1)).mean())
    print(json.dumps({
        "images": len(files), "labels": meta["labels"], "interpolation": args.interpolation, "backend": result.get("backend"),
        "top1Agreement": agree, "maxAbsProbDiff": float(diff.max()), "meanAbsProbDiff": float(diff.mean()),
    }))


if __name__ == "__main__":
    main()
