"""Top classes of an image with a model trained by train.py (or exported by CNN Lab).

  python predict.py --image dog.001.jpg --model model.keras
  python predict.py --image_url https://example.com/cat.jpg --model model.keras

The labels and preprocessing come from MODEL.labels.json beside the model.
"""
import argparse
import json
import os
import sys
import urllib.request

from cnnlab_common import HERE, PREPROCESSING, decode_resize, labels_path

p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
src = p.add_mutually_exclusive_group(required=True)
src.add_argument("--image", help="an image file")
src.add_argument("--image_url", help="an http(s) URL of an image")
p.add_argument("--model", default=os.path.join(HERE, "model.keras"), help="a .keras or .h5 model (default model.keras here)")
p.add_argument("--top", type=int, default=3)
args = p.parse_args()

meta_path = labels_path(args.model)
try:
    with open(meta_path, encoding="utf-8") as f:
        meta = json.load(f)
except OSError as e:
    sys.exit(f"predict.py: {meta_path}: {e.strerror} (the labels file written beside the model)")
if args.image:
    with open(args.image, "rb") as f:
        raw = f.read()
else:
    with urllib.request.urlopen(args.image_url, timeout=60) as r:
        raw = r.read()

import numpy as np


def written_by_keras2(path):
    """An h5 saved by Keras 2 (train.py --multi-worker): Keras 3 misreads its nested base's nodes."""
    if not path.endswith(".h5"):
        return False
    import h5py

    with h5py.File(path, "r") as f:
        version = f.attrs.get("keras_version", b"")
    return (version.decode() if isinstance(version, bytes) else str(version)).startswith("2.")


if written_by_keras2(args.model):
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
import tensorflow as tf

if written_by_keras2(args.model):
    import tf_keras as keras
else:
    import keras

model = keras.models.load_model(args.model, compile=False)
height, width = meta["inputSize"]
x = PREPROCESSING[meta["preprocessing"]](decode_resize(tf, keras, raw, height, width, meta["resize"]))
probs = model.predict(tf.expand_dims(x, 0), verbose=0)[0]
top = np.argsort(-probs)[: args.top]
print(f"{args.image or args.image_url}: " + ", ".join(f"{meta['labels'][i]} {probs[i] * 100:.1f}%" for i in top))
