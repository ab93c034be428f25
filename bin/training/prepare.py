"""Prepares training data: reads the curated Parquet table, keeps labelled rows, splits 80/20 by a
stable hash of the sample id (so that a sample never moves between train and test across runs) and
writes CSV (label first, no header) for the training container.

Inputs:  /opt/ml/processing/input/data   (the curated table location)
Outputs: /opt/ml/processing/output/train/, /opt/ml/processing/output/test/
"""
import glob
import hashlib
import os

import pandas as pd

DATA = "/opt/ml/processing/input/data"
OUT = "/opt/ml/processing/output"

files = glob.glob(os.path.join(DATA, "**", "*.parquet"), recursive=True)
if not files:
    raise SystemExit(f"no Parquet files under {DATA}")
frame = pd.concat((pd.read_parquet(f) for f in files), ignore_index=True)
frame = frame.dropna(subset=["label"])


def bucket(sample_id: str) -> int:
    return int(hashlib.sha256(sample_id.encode()).hexdigest(), 16) % 100


is_test = frame["sample_id"].astype(str).map(bucket) < 20
features = [c for c in frame.columns if c not in ("sample_id", "label", "observed_at", "sample_date")]
for name, part in (("train", frame[~is_test]), ("test", frame[is_test])):
    os.makedirs(os.path.join(OUT, name), exist_ok=True)
    part[["label", *features]].to_csv(os.path.join(OUT, name, f"{name}.csv"), header=False, index=False)
print(f"prepared {len(frame)} rows: {int((~is_test).sum())} train, {int(is_test.sum())} test")
