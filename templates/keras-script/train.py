"""Trains the CNN Lab experiment exported beside this file, in Keras, under tf.distribute.

Written by `cnn-lab export --format keras-script`; experiment.json holds the experiment's values
and split.json the exact train/validation file lists CNN Lab used (its seeded stratified split).

  python train.py                      # MirroredStrategy: every GPU of this machine (or the CPU)
  python train.py --multi-worker       # MultiWorkerMirroredStrategy: one process per host, TF_CONFIG
                                       # set on each (see README.md); Keras 2 (tf_keras), model.h5

The recipe is CNN Lab's: the base (its features, include_top=False) with a new head
GlobalAveragePooling2D -> Dense(fcUnits, relu) -> Dense(classes, softmax); phase 1 trains the head
with the base frozen (RMSprop), phase 2 fine-tunes the base layers not listed in frozenLayers (SGD,
momentum 0.9). The base is always called with training=False, so its BatchNormalization layers keep
their statistics, as in CNN Lab. Early stopping watches val_loss (loss without validation images)
and the best epoch's weights are kept; the best model so far is checkpointed every epoch.
"""
import argparse
import json
import math
import os
import shutil
import sys
import tempfile

from cnnlab_common import HERE, PREPROCESSING, decode_resize, labels_path, load_experiment

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--multi-worker", action="store_true", help="MultiWorkerMirroredStrategy across the hosts in TF_CONFIG")
    p.add_argument("--data", help="dataset folder (class subfolders) instead of split.json's files; split here with the experiment's seed")
    p.add_argument("--out", help="the trained model: model.keras here (model.h5 with --multi-worker)")
    p.add_argument("--base", help="a Keras base model file instead of the exported one, or keras.applications.NAME (ImageNet weights)")
    p.add_argument("--epochs", type=int, help="phase 1 epochs (default: the experiment's)")
    p.add_argument("--fine-tune-epochs", type=int, help="phase 2 epochs (default: the experiment's)")
    p.add_argument("--batch-size", type=int, help="global batch size, split across replicas (default: the experiment's)")
    return p.parse_args()


args = parse_args()
exp = load_experiment()

if args.multi_worker:
    # Keras 3's fit does not run under MultiWorkerMirroredStrategy (keras-team/keras#20585, open):
    # Keras 2 (tf_keras) does, the Keras TensorFlow's multi-worker tutorial is written for. It reads
    # the base as legacy h5 and saves the model as h5, which Keras 3 and predict.py load too.
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
import numpy as np
import tensorflow as tf

if args.multi_worker:
    import tf_keras as keras
else:
    import keras

out = os.path.abspath(args.out or os.path.join(HERE, "model.h5" if args.multi_worker else "model.keras"))
model_ext = ".h5" if args.multi_worker else ".keras"
if not out.endswith(model_ext):
    sys.exit(f"train.py: --out {args.out} must end in {model_ext}" + (" (--multi-worker trains with Keras 2, which saves h5)" if args.multi_worker else ""))

# MultiWorkerMirroredStrategy must exist before any other TensorFlow op runs.
strategy = tf.distribute.MultiWorkerMirroredStrategy() if args.multi_worker else tf.distribute.MirroredStrategy()


def is_chief():
    """The one process that writes the model and the checkpoints (chief, else worker 0)."""
    if not args.multi_worker:
        return True
    tf_config = json.loads(os.environ.get("TF_CONFIG", "{}"))
    task = tf_config.get("task", {})
    if "chief" in tf_config.get("cluster", {}):
        return task.get("type") == "chief"
    return task.get("type", "worker") == "worker" and int(task.get("index", 0)) == 0


seed = int(exp["seed"])
keras.utils.set_random_seed(seed)
height, width = exp["inputSize"]
classes = exp["classes"]
preprocess = PREPROCESSING[exp["preprocessing"]]
batch_size = args.batch_size or int(exp["batchSize"])
transfer_epochs = int(exp["transfer"]["epochs"]) if args.epochs is None else args.epochs
fine_tune_epochs = int(exp["fineTune"]["epochs"]) if args.fine_tune_epochs is None else args.fine_tune_epochs


def validation_count(n, fraction):
    """CNN Lab's per-class validation size: a rounded fraction, keeping one image on each side."""
    if fraction <= 0 or n < 2:
        return 0
    return min(n - 1, max(1, round(n * fraction)))


def file_lists():
    """([(path, label)] train, [(path, label)] validation)."""
    if not args.data:
        with open(os.path.join(HERE, "split.json"), encoding="utf-8") as f:
            split = json.load(f)
        side = lambda s: [(os.path.join(split[s]["root"], rel), label) for rel, label in split[s]["files"]]
        return side("train"), side("validation")
    # A folder of its own: the same stratified shape of split, but numpy's RNG picks the files.
    rng = np.random.default_rng(seed)
    train, val = [], []
    for label, name in enumerate(classes):
        folder = os.path.join(args.data, name)
        if not os.path.isdir(folder):
            sys.exit(f"train.py: {folder}: missing class folder (the experiment's classes are {', '.join(classes)})")
        files = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.lower().endswith(IMAGE_EXTENSIONS))
        order = rng.permutation(len(files))
        n_val = validation_count(len(files), float(exp["validationSplit"]))
        val_idx = set(order[:n_val].tolist())
        for i, f in enumerate(files):
            (val if i in val_idx else train).append((f, label))
    return train, val


def dataset(files, training):
    paths = tf.constant([p for p, _ in files])
    labels = tf.constant([label for _, label in files], dtype=tf.int32)
    ds = tf.data.Dataset.from_tensor_slices((paths, labels))
    if training:
        ds = ds.shuffle(len(files), seed=seed, reshuffle_each_iteration=True)
    ds = ds.map(lambda p, y: (decode_resize(tf, keras, tf.io.read_file(p), height, width, exp["resize"]), y), num_parallel_calls=tf.data.AUTOTUNE)
    ds = ds.batch(batch_size)
    if training and augmenter is not None:
        ds = ds.map(lambda x, y: (augmenter(x, training=True), y), num_parallel_calls=tf.data.AUTOTUNE)
    ds = ds.map(lambda x, y: (preprocess(x), y))
    options = tf.data.Options()
    # file lists, not files of records: each worker takes every n-th batch
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return ds.with_options(options).prefetch(tf.data.AUTOTUNE)


def make_augmenter(aug):
    """CNN Lab's ImageDataGenerator-style settings as Keras preprocessing layers (see README.md for how they differ)."""
    if not aug:
        return None
    layers = []
    if aug["horizontalFlip"]:
        layers.append(keras.layers.RandomFlip("horizontal", seed=seed))
    if aug["rotationRange"]:
        # degrees -> a fraction of a full turn
        layers.append(keras.layers.RandomRotation(aug["rotationRange"] / 360.0, fill_mode="nearest", seed=seed))
    if aug["widthShiftRange"] or aug["heightShiftRange"]:
        layers.append(keras.layers.RandomTranslation(aug["heightShiftRange"], aug["widthShiftRange"], fill_mode="nearest", seed=seed))
    if aug["shearRange"] and not hasattr(keras.layers, "RandomShear"):
        print(f"note: Keras {keras.__version__} has no RandomShear layer: shear ({aug['shearRange']}) is not applied", flush=True)
    elif aug["shearRange"]:
        # ImageDataGenerator shears by an angle in degrees; RandomShear by an intensity (the tangent), along x here
        layers.append(keras.layers.RandomShear(x_factor=min(1.0, math.tan(math.radians(aug["shearRange"]))), y_factor=0.0, fill_mode="nearest", seed=seed))
    if aug["zoomRange"]:
        # one zoom for both axes (ImageDataGenerator draws them apart)
        layers.append(keras.layers.RandomZoom((-aug["zoomRange"], aug["zoomRange"]), fill_mode="nearest", seed=seed))
    return keras.Sequential(layers, name="augment")


augmenter = make_augmenter(exp.get("augment"))
train_files, val_files = file_lists()
if not train_files:
    sys.exit("train.py: no training images")
train_ds = dataset(train_files, training=True)
val_ds = dataset(val_files, training=False) if val_files else None
strategy_name = "MultiWorkerMirroredStrategy" if args.multi_worker else "MirroredStrategy"
print(f"{strategy_name} (Keras {keras.__version__}): {strategy.num_replicas_in_sync} replica(s); {len(train_files)} training and {len(val_files)} validation images; classes {', '.join(classes)}", flush=True)


def load_base():
    name = args.base or os.path.join(HERE, exp["baseFileH5"] if args.multi_worker else exp["baseFile"])
    if name.startswith("keras.applications."):
        cls = getattr(keras.applications, name.split(".")[-1])
        return cls(include_top=False, weights="imagenet", input_shape=(height, width, 3))
    return keras.models.load_model(name, compile=False)


with strategy.scope():
    base = load_base()
    base.trainable = False
    inputs = keras.Input((height, width, 3), name="image")
    x = base(inputs, training=False)
    x = keras.layers.GlobalAveragePooling2D(name="cnnlab_gap")(x)
    x = keras.layers.Dense(int(exp["fcUnits"]), activation="relu", name="cnnlab_fc", kernel_initializer=keras.initializers.GlorotUniform(seed=seed))(x)
    outputs = keras.layers.Dense(len(classes), activation="softmax", name="cnnlab_predictions", kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 1))(x)
    model = keras.Model(inputs, outputs, name="cnnlab_classifier")
    model.compile(optimizer=keras.optimizers.RMSprop(float(exp["transfer"]["learningRate"])), loss="sparse_categorical_crossentropy", metrics=["accuracy"])

# Only the chief writes where asked; the other workers write (the same collective save) to a temp folder.
write_dir = os.path.dirname(out) if is_chief() else tempfile.mkdtemp(prefix="cnnlab-worker-")
os.makedirs(write_dir, exist_ok=True)
monitor = "val_loss" if val_ds is not None else "loss"


def callbacks():
    cbs = [keras.callbacks.ModelCheckpoint(os.path.join(write_dir, os.path.basename(out)[: -len(model_ext)] + ".checkpoint" + model_ext), monitor=monitor, save_best_only=True)]
    es = exp.get("earlyStopping")
    if es:
        cbs.append(keras.callbacks.EarlyStopping(monitor=monitor, patience=int(es["patience"]), restore_best_weights=bool(es["restoreBest"])))
    return cbs


history = {}
if transfer_epochs > 0:
    print(f"transfer: {transfer_epochs} epoch(s), base frozen, RMSprop lr {exp['transfer']['learningRate']}", flush=True)
    h = model.fit(train_ds, validation_data=val_ds, epochs=transfer_epochs, callbacks=callbacks(), verbose=2)
    history["transfer"] = h.history
if fine_tune_epochs > 0:
    frozen = set(exp["frozenLayers"])
    with strategy.scope():
        base.trainable = True
        for layer in base.layers:
            layer.trainable = layer.name not in frozen
        model.compile(optimizer=keras.optimizers.SGD(float(exp["fineTune"]["learningRate"]), momentum=float(exp["fineTune"]["momentum"])), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    trainable = sum(1 for layer in base.layers if layer.trainable and layer.weights)
    print(f"fine-tune: {fine_tune_epochs} epoch(s), {trainable} base layer(s) with weights trainable, SGD lr {exp['fineTune']['learningRate']} momentum {exp['fineTune']['momentum']}", flush=True)
    h = model.fit(train_ds, validation_data=val_ds, initial_epoch=transfer_epochs, epochs=transfer_epochs + fine_tune_epochs, callbacks=callbacks(), verbose=2)
    history["fine-tune"] = h.history

target = out if is_chief() else os.path.join(write_dir, os.path.basename(out))
model.save(target)
if is_chief():
    meta = {k: exp[k] for k in ("inputSize", "preprocessing", "preprocessingPython", "resize")}
    meta.update(labels=classes, base=exp["base"], exportedBy=f"{exp['exportedBy']} train.py")
    with open(labels_path(out), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2)
    final = {phase: {k: v[-1] for k, v in h.items()} for phase, h in history.items()}
    print(f"saved {out} and {labels_path(out)}; last epoch: {json.dumps(final)}", flush=True)
else:
    shutil.rmtree(write_dir, ignore_errors=True)
