#!/usr/bin/env python3
"""The Keras side of bench/profile/stages-tfjs.mts: the same base and weights (bench/keras/peer.py's
loader and head), real images, median seconds per batch of each stage as Keras runs it: PIL decode +
resize (flow_from_directory's loader, nearest), pixels -> float, the base's forward pass, the head,
the whole model (predict_on_batch: a traced tf.function whose graph Grappler optimises); for
fine-tuning (compiled as peer.py compiles it: SGD 1e-4 momentum 0.9, layers from --from trainable)
the frozen prefix's forward pass, forward + backward of the whole model (GradientTape in a
tf.function, no optimizer) and the whole step (train_on_batch, what fit runs per batch).

  .cache/bench-venv/bin/python bench/profile/stages-keras.py [base=mobilenet_v2] [from=block_13_expand] [reps=3] [batch=32]
"""
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "keras"))
import peer  # noqa: E402  (sets the TF environment before TensorFlow loads)
import numpy as np  # noqa: E402


def median_time(fn, reps):
    fn()  # untimed: traces the tf.function
    t = []
    for _ in range(reps):
        s = time.perf_counter()
        fn()
        t.append(time.perf_counter() - s)
    return sorted(t)[len(t) // 2]


def main():
    import tensorflow as tf
    import tf_keras as keras
    from tf_keras.preprocessing.image import img_to_array, load_img

    base = sys.argv[1] if len(sys.argv) > 1 else "mobilenet_v2"
    start_spec = sys.argv[2] if len(sys.argv) > 2 else peer.BASES[base]["fine_tune_from"]
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 32
    size = peer.BASES[base]["size"]
    d = os.environ.get("IMAGES", os.path.join(HERE, "..", "..", "..", "shared", "datasets", "cats-vs-dogs", "train", "cats"))
    files = [os.path.join(d, f) for f in sorted(os.listdir(d))[:n]]
    stages = {}
    imgs = []

    def decode():
        imgs.clear()
        imgs.extend(np.asarray(load_img(f, target_size=(size, size)), dtype=np.uint8) for f in files)

    stages["decode+resize (PIL, nearest)"] = median_time(decode, reps)
    scaling = peer.pixel_scaling(base)
    rescale = scaling.get("rescale", 1.0)
    pre = scaling.get("preprocessing_function")

    def to_float():
        x = np.stack([img_to_array(i) for i in imgs]).astype(np.float32)
        x = pre(x) if pre else x
        return x * rescale

    stages["pixels -> float"] = median_time(to_float, reps)
    x = to_float()
    base_model = peer.load_base(base, peer.DEFAULT_MODELS_DIR)
    model = peer.build_model(base_model, 2, 1024)
    stages["base forward (predict_on_batch)"] = median_time(lambda: base_model.predict_on_batch(x), reps)
    feats = base_model.predict_on_batch(x)
    head = keras.Model(model.layers[-3].input, model.output)
    stages["head (pool + dense + softmax)"] = median_time(lambda: head.predict_on_batch(feats), reps)
    stages["whole classifier forward (predict_on_batch)"] = median_time(lambda: model.predict_on_batch(x), reps)

    start = peer.resolve_fine_tune_from(model, start_spec)
    for layer in model.layers[:start]:
        layer.trainable = False
    for layer in model.layers[start:]:
        layer.trainable = True
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e-4, momentum=0.9), loss="categorical_crossentropy", metrics=["accuracy"])
    y = keras.utils.to_categorical(np.arange(n) % 2, 2)
    prefix = keras.Model(model.input, model.layers[start - 1].output)
    stages[f"fine-tune: frozen prefix forward ({start} layers, to {model.layers[start - 1].name})"] = median_time(lambda: prefix.predict_on_batch(x), reps)
    loss_fn = keras.losses.CategoricalCrossentropy()

    @tf.function
    def fwd_bwd(xb, yb):
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(xb, training=True))
        return tape.gradient(loss, model.trainable_weights)

    xt, yt = tf.constant(x), tf.constant(y)
    stages["fine-tune: forward + backward (GradientTape, tf.function, no optimizer)"] = median_time(lambda: [g.numpy() for g in fwd_bwd(xt, yt)][:0], reps)
    stages["fine-tune: whole step (train_on_batch)"] = median_time(lambda: model.train_on_batch(x, y), reps)
    print(
        json.dumps(
            {
                "side": "keras",
                "base": base,
                "fineTuneFrom": model.layers[start].name,
                "batch": n,
                "reps": reps,
                "msPerBatch": {k: round(v * 1000) for k, v in stages.items()},
                "imgPerSec": {k: round(n / v, 1) for k, v in stages.items()},
                "load1": os.getloadavg()[0],
            },
            indent=1,
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
