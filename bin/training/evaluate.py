"""Evaluates the trained model on the held-out test split and writes evaluation.json in the format
the retraining workflow reads: {"metrics": {"auc": ..., "accuracy": ..., "samples": ...}}.

The model is the built-in SageMaker XGBoost algorithm's artifact: model.tar.gz holding
`xgboost-model`, which XGBoost 1.3-1 and later save with Booster.save_model (earlier versions
pickled the Booster; both are read). The test split is prepare.py's CSV: label first, no header.

Arguments:
  --features a,b,c   the model's features, in input order (checks the column count)
  --label y, --id x  accepted for a uniform contract
  --model FILE       default /opt/ml/processing/input/model/model.tar.gz
  --test DIR         default /opt/ml/processing/input/data
  --output DIR       default /opt/ml/processing/output
"""
import argparse
import glob
import json
import os
import pickle
import sys
import tarfile
import tempfile

import pandas as pd
import xgboost as xgb
from sklearn.metrics import accuracy_score, roc_auc_score

MODEL_FILE = "xgboost-model"


def arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", required=True)
    parser.add_argument("--label", default="label")
    parser.add_argument("--id", default="sample_id")
    parser.add_argument("--model", default="/opt/ml/processing/input/model/model.tar.gz")
    parser.add_argument("--test", default="/opt/ml/processing/input/data")
    parser.add_argument("--output", default="/opt/ml/processing/output")
    args = parser.parse_args(argv)
    args.features = [f for f in args.features.split(",") if f]
    return args


def fail(message):
    sys.stderr.write(f"evaluate: {message}\n")
    sys.exit(1)


def load_booster(archive_path, workdir):
    with tarfile.open(archive_path) as archive:
        member = next((m for m in archive.getmembers() if os.path.basename(m.name) == MODEL_FILE and m.isfile()), None)
        if member is None:
            fail(f"{archive_path} holds no {MODEL_FILE}: {[m.name for m in archive.getmembers()]}")
        # Only the model file, by its base name: nothing in the archive can write outside workdir.
        target = os.path.join(workdir, MODEL_FILE)
        with archive.extractfile(member) as source, open(target, "wb") as out:
            out.write(source.read())
    booster = xgb.Booster()
    try:
        booster.load_model(target)
    except xgb.core.XGBoostError:
        with open(target, "rb") as handle:
            booster = pickle.load(handle)  # SageMaker XGBoost 1.2-2 and earlier
    return booster


def main(argv=None):
    args = arguments(argv)
    files = sorted(f for f in glob.glob(os.path.join(args.test, "**", "*.csv"), recursive=True) if os.path.getsize(f) > 0)
    if not files:
        fail(f"no test split under {args.test}")
    test = pd.concat((pd.read_csv(f, header=None) for f in files), ignore_index=True)
    if args.features and test.shape[1] != len(args.features) + 1:
        fail(f"the test split has {test.shape[1]} columns, expected the label and {len(args.features)} features")
    labels, features = test.iloc[:, 0], test.iloc[:, 1:]
    if labels.nunique() < 2:
        fail(f"the test split has only one label value ({labels.iloc[0]}); AUC is undefined")
    with tempfile.TemporaryDirectory() as workdir:
        booster = load_booster(args.model, workdir)
        scores = booster.predict(xgb.DMatrix(features.values))
    report = {
        "metrics": {
            "auc": float(roc_auc_score(labels, scores)),
            "accuracy": float(accuracy_score(labels, scores > 0.5)),
            "samples": int(len(labels)),
        }
    }
    os.makedirs(args.output, exist_ok=True)
    with open(os.path.join(args.output, "evaluation.json"), "w", encoding="utf-8") as out:
        json.dump(report, out)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
