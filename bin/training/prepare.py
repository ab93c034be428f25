"""Prepares training data for the built-in SageMaker XGBoost algorithm.

Reads the run's export of the source table (an Athena UNLOAD ... WITH (format = 'TEXTFILE',
field_delimiter = ',', compression = 'GZIP'): CSV without a header, columns in the order
id, label, features...; nulls written as the Hive text default \\N, empty fields also read as
missing), drops rows without a label, splits 80/20 by a stable hash of the sample id (a sample
never moves between train and test across runs) and writes CSV with the label first and no
header, as the XGBoost algorithm expects for ContentType text/csv.

Arguments (the workflow passes the model's data contract):
  --features a,b,c   the model's features, in input order
  --label y          the label column
  --id sample_id     the sample id column
  --input DIR        the export     (default /opt/ml/processing/input/data)
  --output DIR       train/ and test/ are written here (default /opt/ml/processing/output)
"""
import argparse
import glob
import hashlib
import os
import sys

import pandas as pd

NULLS = ["\\N", ""]


def arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", required=True, help="comma-separated feature columns, in the model's input order")
    parser.add_argument("--label", required=True)
    parser.add_argument("--id", default="sample_id")
    parser.add_argument("--input", default="/opt/ml/processing/input/data")
    parser.add_argument("--output", default="/opt/ml/processing/output")
    parser.add_argument("--test-percent", type=int, default=20)
    args = parser.parse_args(argv)
    args.features = [f for f in args.features.split(",") if f]
    if not args.features:
        parser.error("--features must name at least one column")
    return args


def fail(message):
    """Ends the job with a message the processing job reports as its failure reason, not a stack trace."""
    sys.stderr.write(f"prepare: {message}\n")
    sys.exit(1)


def read_export(directory, names):
    files = sorted(f for f in glob.glob(os.path.join(directory, "**", "*"), recursive=True) if os.path.isfile(f))
    frames = []
    for path in files:
        if os.path.getsize(path) == 0:
            continue
        with open(path, "rb") as handle:
            gzipped = handle.read(2) == b"\x1f\x8b"  # by content: UNLOAD's file names are not a contract
        try:
            frame = pd.read_csv(path, header=None, compression="gzip" if gzipped else None, dtype=str,
                                na_values=NULLS, keep_default_na=False)
        except pd.errors.EmptyDataError:
            continue
        if frame.shape[1] != len(names):
            fail(f"{path} has {frame.shape[1]} columns, expected {len(names)} ({', '.join(names)})")
        frame.columns = names
        frames.append(frame)
    return files, frames


def test_bucket(sample_id, percent):
    return int(hashlib.sha256(str(sample_id).encode("utf-8")).hexdigest(), 16) % 100 < percent


def main(argv=None):
    args = arguments(argv)
    names = [args.id, args.label, *args.features]
    files, frames = read_export(args.input, names)
    if not frames:
        fail(f"the export under {args.input} has no rows ({len(files)} file(s)); "
             "the source table is empty: load samples and run the workflow again")
    frame = pd.concat(frames, ignore_index=True)
    total = len(frame)
    frame = frame.dropna(subset=[args.label])
    if frame.empty:
        fail(f"none of the {total} exported rows has a label ({args.label})")
    numeric = frame[[args.label, *args.features]].apply(pd.to_numeric, errors="coerce")
    bad = [c for c in numeric.columns if (numeric[c].isna() & frame[c].notna()).any()]
    if bad:
        fail(f"column(s) {', '.join(bad)} hold values that are not numbers; the XGBoost CSV needs numbers")
    frame[numeric.columns] = numeric

    is_test = frame[args.id].map(lambda i: test_bucket(i, args.test_percent))
    parts = {"train": frame[~is_test], "test": frame[is_test]}
    for name, part in parts.items():
        if part.empty:
            fail(f"the {name} split is empty ({len(frame)} labelled rows); export more samples")
    for name, part in parts.items():
        os.makedirs(os.path.join(args.output, name), exist_ok=True)
        part[[args.label, *args.features]].to_csv(os.path.join(args.output, name, f"{name}.csv"), header=False, index=False)
    print(f"prepared {len(frame)} of {total} rows: {len(parts['train'])} train, {len(parts['test'])} test; "
          f"columns: {args.label} (label), {', '.join(args.features)}")


if __name__ == "__main__":
    main()
