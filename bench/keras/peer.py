#!/usr/bin/env python3
"""The Keras peer of the CNN Lab benchmarks: the seed's transfer-learning recipe in Keras 2
(tf_keras), on the same weights as CNN Lab (the bases bundled in npm nsfwjs, exported by
bench/keras/export-nsfwjs.mjs), the same images, input size, batch size and epochs.

Recipe (the seed script, after the Keras "fine-tune InceptionV3" example):
  base without top -> GlobalAveragePooling2D -> Dense(1024, relu) -> Dense(n, softmax);
  freeze the base; RMSprop; categorical cross-entropy; ImageDataGenerator(rescale=1/255, plus
  rotation/shift/shear/zoom/flip with --augment); flow_from_directory; then fine-tune: freeze the
  first 249 layers (InceptionV3) and train the rest with SGD(lr=1e-4, momentum=0.9).

Modes (one JSON line of results on stdout; progress on stderr):
  predict          images/s over every image under --data, JPEG decoding and resizing included
  train-frozen     head on a frozen base for --epochs; train images/s per epoch, val acc per epoch
  train-finetune   --epochs frozen (may be 0), then --fine-tune-epochs with the top blocks trainable
  time-to-accuracy train frozen until val acc >= --target-acc (or --epochs run out); wall time

Run with the venv made by bench/setup-keras.sh:
  .cache/bench-venv/bin/python bench/keras/peer.py train-frozen --data D/train --val D/validation \
      --base mobilenet_v2 --epochs 2
"""
import argparse
import json
import os
import resource
import sys
import time

T_PROCESS_START = time.time()

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# The seed script is Keras 2 (ImageDataGenerator, flow_from_directory); tf_keras is that API on
# current TensorFlow, and it deserializes the Keras 2.2.4 topology that nsfwjs ships.
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np  # noqa: E402

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_MODELS_DIR = os.path.join(REPO_ROOT, ".cache", "bench-models")

# Where each bundled base is cut, as Keras include_top=False does, and its input size.
BASES = {
    "inception_v3": {"cut": "mixed10", "size": 299, "fine_tune_from": 249},
    # MobileNetV2 include_top=False ends at out_relu (ReLU6 after Conv_1/Conv_1_bn). The Keras
    # fine-tuning guide for MobileNetV2 unfreezes from layer 100; block_13_expand is the start of
    # the last low-resolution stage in the same spirit as InceptionV3's "top 2 blocks".
    "mobilenet_v2": {"cut": "out_relu", "size": 224, "fine_tune_from": "block_13_expand"},
    # EfficientNet-Lite0 with its ImageNet weights (bench/keras/export-lite.mts), Keras layer names;
    # include_top=False ends at top_activation; CNN Lab fine-tunes from block6a by default.
    "efficientnet_lite0": {"cut": "top_activation", "size": 224, "fine_tune_from": "block6a_expand_conv",
                           "scale": 1.0 / 128, "offset": -127.0 / 128},
}

# The nsfwjs bases were trained on pixels / 255; EfficientNet-Lite on (pixels - 127) / 128.
def pixel_scaling(base):
    spec = BASES[base]
    if "scale" in spec:
        return dict(preprocessing_function=lambda x, s=spec["scale"], o=spec["offset"]: x * s + o)
    return dict(rescale=1.0 / 255)

# The same values as CNN Lab's `--augment standard` preset (src/core/experimentDefaults.ts), which
# follows the Keras blog's ImageDataGenerator example; shear_range is in degrees in Keras 2.
AUGMENT = dict(
    rotation_range=30,
    width_shift_range=0.2,
    height_shift_range=0.2,
    shear_range=0.2,
    zoom_range=0.2,
    horizontal_flip=True,
    fill_mode="nearest",
)


def log(msg):
    print(f"[peer {time.time() - T_PROCESS_START:7.1f}s] {msg}", file=sys.stderr, flush=True)


def peak_rss_bytes():
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def read_tfjs_weights(model_dir):
    """Reads a tfjs layers model's weight manifest into {name: ndarray}, dequantizing uint8/uint16
    weights as tfjs does (value = q * scale + min)."""
    with open(os.path.join(model_dir, "model.json")) as f:
        model_json = json.load(f)
    weights = {}
    for group in model_json["weightsManifest"]:
        data = b"".join(open(os.path.join(model_dir, p), "rb").read() for p in group["paths"])
        offset = 0
        for spec in group["weights"]:
            shape = spec["shape"]
            count = int(np.prod(shape)) if shape else 1
            q = spec.get("quantization")
            if q:
                qdtype = {"uint8": np.uint8, "uint16": np.uint16}.get(q["dtype"])
                if qdtype is None:
                    raise ValueError(f"{model_dir}: weight {spec['name']}: unsupported quantization {q['dtype']}")
                nbytes = count * np.dtype(qdtype).itemsize
                raw = np.frombuffer(data, dtype=qdtype, count=count, offset=offset)
                values = raw.astype(np.float32) * np.float32(q["scale"]) + np.float32(q["min"])
            else:
                if spec["dtype"] != "float32":
                    raise ValueError(f"{model_dir}: weight {spec['name']}: unsupported dtype {spec['dtype']}")
                nbytes = count * 4
                values = np.frombuffer(data, dtype=np.float32, count=count, offset=offset).copy()
            weights[spec["name"]] = values.reshape(shape)
            offset += nbytes
        if offset != len(data):
            raise ValueError(f"{model_dir}: manifest describes {offset} bytes but shards hold {len(data)}")
    return model_json, weights


def assign_weights_by_name(model, weights, where):
    """Sets every layer's weights from a tfjs manifest's {name: array}; returns how many were set."""
    assigned = 0
    for layer in model.layers:
        if not layer.weights:
            continue
        values = []
        for w in layer.weights:
            # tf_keras names variables "<layer>/<kernel>:0"; the manifest "<layer>/<kernel>".
            key = w.name.split(":")[0]
            if not key.startswith(layer.name + "/"):
                key = f"{layer.name}/{key.split('/')[-1]}"
            if key not in weights:
                raise ValueError(f"{where}: no weight named {key} for layer {layer.name}")
            values.append(weights[key])
        layer.set_weights(values)
        assigned += len(values)
    return assigned


def load_base(base, models_dir):
    """The nsfwjs base as a Keras model cut at its last conv block, weights assigned by name."""
    import tf_keras as keras

    model_dir = os.path.join(models_dir, base)
    if not os.path.exists(os.path.join(model_dir, "model.json")):
        exporter = "npx tsx bench/keras/export-lite.mts" if base.startswith("efficientnet") else "node bench/keras/export-nsfwjs.mjs"
        raise SystemExit(f"{model_dir}/model.json not found: run `{exporter}` first")
    model_json, weights = read_tfjs_weights(model_dir)
    # nsfwjs' model.json wraps the Keras config in model_config; tfjs' own save writes it directly.
    topology = model_json["modelTopology"]
    full = keras.models.model_from_json(json.dumps(topology.get("model_config", topology)))
    assigned = assign_weights_by_name(full, weights, model_dir)
    cut = BASES[base]["cut"]
    model = keras.Model(full.input, full.get_layer(cut).output, name=f"{base}_notop")
    log(f"{base}: {assigned} weights assigned by name, cut at {cut}, {len(model.layers)} layers")
    return model


def build_model(base_model, num_classes, fc):
    import tf_keras as keras

    x = keras.layers.GlobalAveragePooling2D()(base_model.output)
    x = keras.layers.Dense(fc, activation="relu")(x)
    out = keras.layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(base_model.input, out)


def resolve_fine_tune_from(model, spec):
    if isinstance(spec, int) or (isinstance(spec, str) and spec.isdigit()):
        return int(spec)
    for i, layer in enumerate(model.layers):
        if layer.name == spec:
            return i
    raise SystemExit(f"--fine-tune-from: no layer named {spec}")


def directory_iterator(directory, size, batch_size, augment, shuffle, seed, base):
    from tf_keras.preprocessing.image import ImageDataGenerator

    gen = ImageDataGenerator(**pixel_scaling(base), **(AUGMENT if augment else {}))
    return gen.flow_from_directory(
        directory,
        target_size=(size, size),
        batch_size=batch_size,
        class_mode="categorical",
        shuffle=shuffle,
        seed=seed,
    )


class EpochTimer:
    """Records per-epoch train and validation times, metrics and train images/s, and stops once
    val acc reaches the target (for time-to-accuracy)."""

    def __init__(self, samples, phase, target_acc, t_fit_start, records):
        import tf_keras as keras

        outer = self

        class _Cb(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                outer.t_epoch = time.perf_counter()
                outer.t_val = None

            def on_test_begin(self, logs=None):
                if outer.t_val is None:
                    outer.t_val = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                now = time.perf_counter()
                train_s = (outer.t_val or now) - outer.t_epoch
                rec = {
                    "phase": phase,
                    "epoch": epoch + 1,
                    "loss": logs.get("loss"),
                    "acc": logs.get("accuracy"),
                    "valLoss": logs.get("val_loss"),
                    "valAcc": logs.get("val_accuracy"),
                    "trainSeconds": train_s,
                    "valSeconds": (now - outer.t_val) if outer.t_val else None,
                    "trainImagesPerSecond": samples / train_s if train_s > 0 else None,
                    "wallSinceStart": time.time() - T_PROCESS_START,
                    "wallSinceFit": time.time() - t_fit_start,
                    "peakRssBytes": peak_rss_bytes(),
                }
                records.append(rec)
                log(json.dumps(rec))
                va = logs.get("val_accuracy")
                if target_acc is not None and va is not None and va >= target_acc:
                    self.model.stop_training = True

        self.callback = _Cb()


def median(xs):
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def run_predict(args, base_model):
    from tf_keras.preprocessing.image import ImageDataGenerator

    size = BASES[args.base]["size"]
    gen = ImageDataGenerator(**pixel_scaling(args.base)).flow_from_directory(
        args.data, target_size=(size, size), batch_size=args.batch_size, class_mode=None, shuffle=False
    )
    num_classes = max(1, len(gen.class_indices))
    model = build_model(base_model, num_classes, args.fc)
    # One batch first so graph tracing is not counted as throughput; reported separately.
    t = time.perf_counter()
    model.predict_on_batch(gen[0])
    warmup_s = time.perf_counter() - t
    gen.reset()
    t = time.perf_counter()
    probs = model.predict(gen, verbose=0)
    seconds = time.perf_counter() - t
    return {
        "images": int(probs.shape[0]),
        "warmupSeconds": warmup_s,
        "seconds": seconds,
        "imagesPerSecond": probs.shape[0] / seconds,
    }


def run_training(args, base_model):
    import tf_keras as keras

    size = BASES[args.base]["size"]
    train = directory_iterator(args.data, size, args.batch_size, args.augment, True, args.seed, args.base)
    val = directory_iterator(args.val, size, args.batch_size, False, False, args.seed, args.base) if args.val else None
    num_classes = len(train.class_indices)
    model = build_model(base_model, num_classes, args.fc)
    records = []
    t_fit = time.time()
    target = args.target_acc if args.mode == "time-to-accuracy" else None

    frozen_epochs = args.epochs
    if frozen_epochs > 0:
        for layer in base_model.layers:
            layer.trainable = False
        model.compile(optimizer=keras.optimizers.RMSprop(), loss="categorical_crossentropy", metrics=["accuracy"])
        cb = EpochTimer(train.samples, "frozen", target, t_fit, records)
        model.fit(train, epochs=frozen_epochs, validation_data=val, callbacks=[cb.callback], verbose=0)

    reached = None
    if target is not None:
        hit = [r for r in records if r["valAcc"] is not None and r["valAcc"] >= target]
        reached = hit[0] if hit else None

    if args.mode == "train-finetune" and args.fine_tune_epochs > 0:
        start = resolve_fine_tune_from(model, args.fine_tune_from or BASES[args.base]["fine_tune_from"])
        for layer in model.layers[:start]:
            layer.trainable = False
        for layer in model.layers[start:]:
            layer.trainable = True
        # Recompile so the change of trainability takes effect, as Keras requires.
        model.compile(
            optimizer=keras.optimizers.SGD(learning_rate=1e-4, momentum=0.9),
            loss="categorical_crossentropy",
            metrics=["accuracy"],
        )
        log(f"fine-tuning layers {start}..{len(model.layers) - 1} ({model.layers[start].name} up)")
        cb = EpochTimer(train.samples, "fine-tune", None, t_fit, records)
        model.fit(
            train,
            epochs=frozen_epochs + args.fine_tune_epochs,
            initial_epoch=frozen_epochs,
            validation_data=val,
            callbacks=[cb.callback],
            verbose=0,
        )

    def phase_median(phase, key):
        # The first epoch carries graph tracing; leave it out when there are more.
        rs = [r for r in records if r["phase"] == phase]
        if len(rs) > 1:
            rs = rs[1:]
        return median([r[key] for r in rs])

    result = {
        "trainImages": train.samples,
        "valImages": val.samples if val else 0,
        "classes": sorted(train.class_indices, key=train.class_indices.get),
        "epochs": records,
        "frozenTrainImagesPerSecond": phase_median("frozen", "trainImagesPerSecond"),
        "fineTuneTrainImagesPerSecond": phase_median("fine-tune", "trainImagesPerSecond"),
        "finalValAcc": records[-1]["valAcc"] if records else None,
        "fitSeconds": time.time() - t_fit,
    }
    if target is not None:
        result["targetAcc"] = target
        result["reached"] = reached is not None
        result["secondsToTarget"] = reached["wallSinceStart"] if reached else None
        result["fitSecondsToTarget"] = reached["wallSinceFit"] if reached else None
        result["epochsToTarget"] = reached["epoch"] if reached else None
    return result


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["predict", "train-frozen", "train-finetune", "time-to-accuracy"])
    p.add_argument("--data", required=True, help="class-per-folder directory (train images, or images to predict)")
    p.add_argument("--val", help="class-per-folder validation directory")
    p.add_argument("--base", choices=sorted(BASES), default="inception_v3")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--epochs", type=int, default=1, help="epochs with the base frozen (time-to-accuracy: the most)")
    p.add_argument("--fine-tune-epochs", type=int, default=1)
    p.add_argument("--fine-tune-from", help="first trainable layer, by index or name (default per base)")
    p.add_argument("--augment", action="store_true", help="ImageDataGenerator rotation/shift/shear/zoom/flip")
    p.add_argument("--target-acc", type=float, default=0.9)
    p.add_argument("--fc", type=int, default=1024)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=0, help="intra/inter-op threads (0: TensorFlow's default)")
    p.add_argument("--models", default=DEFAULT_MODELS_DIR, help="where export-nsfwjs.mjs wrote the bases")
    args = p.parse_args(argv)

    for d in [args.data] + ([args.val] if args.val else []):
        if not os.path.isdir(d):
            raise SystemExit(f"{d}: not a directory")
    if args.mode != "predict" and args.epochs < 0:
        raise SystemExit("--epochs must be >= 0")

    import tensorflow as tf
    import tf_keras as keras

    if args.threads > 0:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    keras.utils.set_random_seed(args.seed)

    t = time.time()
    base_model = load_base(args.base, args.models)
    load_s = time.time() - t

    if args.mode == "predict":
        result = run_predict(args, base_model)
    else:
        result = run_training(args, base_model)

    out = {
        "side": "keras",
        "mode": args.mode,
        "base": args.base,
        "inputSize": BASES[args.base]["size"],
        "batchSize": args.batch_size,
        "augment": bool(args.augment),
        "loadSeconds": load_s,
        **result,
        "wallSeconds": time.time() - T_PROCESS_START,
        "peakRssBytes": peak_rss_bytes(),
        "versions": {"tensorflow": tf.__version__, "tf_keras": keras.__version__, "python": sys.version.split()[0]},
        "threads": {
            "intra": tf.config.threading.get_intra_op_parallelism_threads(),
            "inter": tf.config.threading.get_inter_op_parallelism_threads(),
            "cpus": os.cpu_count(),
        },
    }
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
