"""Statistics of the platform's data contract: baselines, drift, capture decoding, model quality.

Pure functions over numpy and pandas (no other dependency, Python 3.9+), shared by two runners:

- the retraining workflow's ``Baseline`` processing step (the AWS-provided ``sagemaker-xgboost:1.7-1``
  image, network isolation) runs ``python3 model_stats.py baseline ...`` on the prepared training
  split and writes ``baseline.json``, which ``Register`` records on the model package as
  ``DriftCheckBaselines.ModelDataQuality.Statistics``;
- the scheduled drift job (``drift_job.py``, a Glue 5.0 job) imports this module to decode the
  captured requests, compare them with the served version's baseline and score predictions against
  ground truth.

Drift: the population stability index (PSI)
-------------------------------------------
For a feature with bins (or categories) i, baseline proportions p_i and window proportions q_i::

    PSI = sum_i (q_i - p_i) * ln(q_i / p_i)

which is the symmetrised Kullback-Leibler divergence KL(q||p) + KL(p||q) (Jeffreys divergence), so
one scale applies to numeric and categorical features alike: below 0.1 no meaningful shift, 0.1 to
0.2 moderate, above 0.2 significant.

- Numeric features are binned on the baseline's quantile edges (10 bins by default, deduplicated,
  so a feature with few distinct values has fewer bins). The first and last bins are open: a window
  value below the smallest or above the largest training value falls into the first or last bin
  (``-inf`` / ``+inf`` semantics; the JSON keeps the finite training minimum and maximum, as JSON has
  no infinity). Bin i holds ``edges[i] <= v < edges[i+1]``.
- Categorical features compare category frequencies. Values are normalised (``"1"``, ``"1.0"`` and
  ``1`` are the same category; surrounding spaces are ignored). Categories the baseline never saw are
  pooled into one extra "unseen" bin whose baseline proportion is 0 (then epsilon), so a new
  category raises the drift instead of being dropped.
- Missing values (empty, ``\\N``, non-numeric for a numeric feature) are left out of PSI, which
  compares the distributions of the values present; ``drift_report`` gives each feature's share of
  missing values in the baseline and in the window beside it. (Folding them into an extra bin made a
  window without missing values drift by ~0.1 against a baseline with 2% missing: epsilon against 0.02.)
- Smoothing: a proportion of 0 (an empty bin on either side) is replaced by ``epsilon`` (default
  1e-4) before the logarithm; the proportions are not renormalised. Without it one empty bin makes
  PSI infinite.
"""
import argparse
import base64
import binascii
import glob
import json
import math
import os
import sys

import numpy as np
import pandas as pd

BASELINE_VERSION = 1
DEFAULT_BINS = 10
DEFAULT_EPSILON = 1e-4
NUMERIC = "numeric"
CATEGORICAL = "categorical"
UNSEEN = "__unseen__"
MISSING = "__missing__"

# --------------------------------------------------------------------------------------------------
# Baselines


def normalize_category(value):
    """The category a raw value stands for, or None when it is missing.

    Numbers written differently are one category (``1``, ``"1"``, ``"1.0"`` -> ``"1"``): the training
    split is written by pandas (``1.0`` in a column holding missing values) while captured requests
    carry what the client sent.
    """
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    text = str(value).strip()
    if text == "" or text == "\\N" or text.lower() == "nan":
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    if math.isfinite(number) and number == int(number):
        return str(int(number))
    return repr(number)


def _numeric(values):
    return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype(float).to_numpy()


def numeric_edges(values, bins=DEFAULT_BINS):
    """Quantile bin edges of the non-missing values: ``bins + 1`` quantiles, deduplicated (sorted).

    A constant feature gives ``[c, c]`` (one bin). No values give ``[]``.
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return []
    edges = np.unique(np.quantile(finite, np.linspace(0.0, 1.0, bins + 1)))
    if edges.size == 1:
        edges = np.array([edges[0], edges[0]])
    return [float(e) for e in edges]


def bin_counts(edges, values):
    """Counts of the non-missing values in the bins of ``edges`` (first and last bins open)."""
    bins = max(len(edges) - 1, 1)
    finite = values[np.isfinite(values)]
    # searchsorted on the inner edges: v < edges[1] -> 0, edges[i] <= v < edges[i+1] -> i, v >= edges[-2] -> last.
    index = np.searchsorted(np.asarray(edges[1:-1], dtype=float), finite, side="right")
    return [int(c) for c in np.bincount(index, minlength=bins)[:bins]]


def compute_baseline(frame, features, feature_types=None, bins=DEFAULT_BINS):
    """The baseline of a training split: a JSON-able dict, the drift job's reference.

    ``frame`` holds one column per feature; ``features`` is the model's feature list in input order;
    ``feature_types`` maps a feature to ``"numeric"`` or ``"categorical"`` (default numeric).
    Returns ``{"version": 1, "features": [...], "feature_order": [...], "rows": n}`` where each
    feature is ``{"name", "type": "numeric", "bin_edges", "counts", "count", "missing"}`` or
    ``{"name", "type": "categorical", "categories": {value: count}, "count", "missing"}``;
    ``count`` is the number of non-missing values.
    """
    feature_types = feature_types or {}
    out = []
    for name in features:
        kind = feature_types.get(name, NUMERIC)
        if kind not in (NUMERIC, CATEGORICAL):
            raise ValueError(f"feature {name}: type must be {NUMERIC} or {CATEGORICAL}, got {kind!r}")
        column = frame[name] if name in frame.columns else pd.Series([None] * len(frame), dtype=object)
        if kind == NUMERIC:
            values = _numeric(column)
            edges = numeric_edges(values, bins)
            counts = bin_counts(edges, values) if edges else []
            present = int(np.isfinite(values).sum())
            out.append({"name": name, "type": NUMERIC, "bin_edges": edges, "counts": counts,
                        "count": present, "missing": int(len(values) - present)})
        else:
            categories = {}
            missing = 0
            for value in column.tolist():
                key = normalize_category(value)
                if key is None:
                    missing += 1
                else:
                    categories[key] = categories.get(key, 0) + 1
            ordered = dict(sorted(categories.items()))
            out.append({"name": name, "type": CATEGORICAL, "categories": ordered,
                        "count": int(sum(ordered.values())), "missing": missing})
    return {"version": BASELINE_VERSION, "features": out, "feature_order": list(features), "rows": int(len(frame))}


# --------------------------------------------------------------------------------------------------
# Drift


def psi(expected_counts, actual_counts, epsilon=DEFAULT_EPSILON):
    """Population stability index of two histograms over the same bins.

    ``sum((q - p) * ln(q / p))`` with p, q the proportions of ``expected_counts`` (baseline) and
    ``actual_counts`` (window); proportions of 0 are replaced by ``epsilon``. Returns None when either
    histogram is empty (no proportions to compare).
    """
    expected = np.asarray(expected_counts, dtype=float)
    actual = np.asarray(actual_counts, dtype=float)
    if expected.shape != actual.shape:
        raise ValueError(f"histograms differ in length: {expected.size} and {actual.size}")
    if expected.sum() <= 0 or actual.sum() <= 0:
        return None
    p = np.maximum(expected / expected.sum(), epsilon)
    q = np.maximum(actual / actual.sum(), epsilon)
    return float(np.sum((q - p) * np.log(q / p)))


def feature_histograms(baseline_feature, values):
    """The baseline's and the window's histograms of one feature over the same bins (see the module
    doc), and the number of missing values in the window."""
    kind = baseline_feature["type"]
    if kind == NUMERIC:
        numbers = _numeric(values)
        edges = baseline_feature["bin_edges"]
        expected = list(baseline_feature["counts"])
        actual = bin_counts(edges, numbers) if edges else []
        missing = int(np.sum(~np.isfinite(numbers)))
    elif kind == CATEGORICAL:
        known = baseline_feature["categories"]
        window = {}
        unseen = 0
        missing = 0
        for value in values:
            key = normalize_category(value)
            if key is None:
                missing += 1
            elif key in known:
                window[key] = window.get(key, 0) + 1
            else:
                unseen += 1
        names = sorted(known)
        expected = [known[k] for k in names] + [0]
        actual = [window.get(k, 0) for k in names] + [unseen]
    else:
        raise ValueError(f"feature {baseline_feature.get('name')}: unknown type {kind!r}")
    return expected, actual, missing


def feature_drift(baseline_feature, values, epsilon=DEFAULT_EPSILON):
    """PSI of one feature's window values against its baseline entry (None without values on either side)."""
    expected, actual, _ = feature_histograms(baseline_feature, list(values))
    return psi(expected, actual, epsilon)


def drift_report(baseline, frame, min_records=100, epsilon=DEFAULT_EPSILON):
    """Per-feature drift of a window of records against a baseline.

    Returns ``{"status": "ok" | "insufficient_data", "records": n, "features": {name: psi},
    "max_drift": x, "max_feature": name, "missing": {name: {"baseline": share, "window": share}}}``
    (a feature with no value present in the window has no PSI). With fewer than ``min_records`` records the status is
    ``insufficient_data``, ``features`` is empty and ``max_drift`` / ``max_feature`` are None: too
    little data is reported as such, never as drift.
    """
    records = int(len(frame))
    report = {"status": "insufficient_data", "records": records, "features": {}, "max_drift": None, "max_feature": None}
    if records < max(int(min_records), 1):
        return report
    features, missing = {}, {}
    for entry in baseline["features"]:
        name = entry["name"]
        column = frame[name].tolist() if name in frame.columns else [None] * records
        expected, actual, absent = feature_histograms(entry, column)
        value = psi(expected, actual, epsilon)
        if value is not None:
            features[name] = value
        total = entry.get("count", 0) + entry.get("missing", 0)
        missing[name] = {"baseline": entry.get("missing", 0) / total if total else None, "window": absent / records}
    report["status"] = "ok"
    report["features"] = features
    report["missing"] = missing
    if features:
        top = max(features, key=lambda k: features[k])
        report["max_drift"] = features[top]
        report["max_feature"] = top
    return report


# --------------------------------------------------------------------------------------------------
# Data capture and ground truth decoding


def _payload(section):
    """The text of a captured payload: ``data`` decoded per ``encoding`` (CSV and JSON are text, BASE64 is decoded)."""
    data = section.get("data")
    if data is None:
        return None
    if str(section.get("encoding", "")).upper() == "BASE64":
        return base64.b64decode(data).decode("utf-8")
    return data


def _is_json(section):
    encoding = str(section.get("encoding", "")).upper()
    if encoding == "JSON":
        return True
    if encoding == "CSV":
        return False
    return "json" in str(section.get("observedContentType", "")).lower()


def _csv_rows(text):
    return [[cell.strip() for cell in line.split(",")] for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def _json_rows(value, feature_order):
    """Rows of feature values from a JSON request: a record ``{feature: value}``, a list of values, a
    list of records or lists, or ``{"instances": [...]}`` (items lists, records or ``{"features": [...]}``)."""
    if isinstance(value, dict):
        if "instances" in value:
            return _json_rows(value["instances"], feature_order)
        if "features" in value and isinstance(value["features"], list):
            return [list(value["features"])]
        return [[value.get(name) for name in feature_order]]
    if isinstance(value, list):
        if not value:
            return []
        if all(not isinstance(v, (list, dict)) for v in value):
            return [list(value)]
        rows = []
        for item in value:
            rows.extend(_json_rows(item, feature_order))
        return rows
    return [[value]]


def _predictions(text, as_json):
    """Scores from a response: CSV (one per line or comma-separated) or JSON (a number, a list,
    ``{"predictions": [...]}``; items numbers or objects with ``score``)."""
    if text is None:
        return []
    if as_json:
        value = json.loads(text)
        if isinstance(value, dict):
            value = value.get("predictions", value.get("score", []))
        if not isinstance(value, list):
            value = [value]
        out = []
        for item in value:
            if isinstance(item, dict):
                item = item.get("score", item.get("predicted_label"))
            if isinstance(item, list):
                item = item[0] if item else None
            out.append(item)
        return [_to_float(v) for v in out]
    return [_to_float(cell) for row in _csv_rows(text) for cell in row]


def _to_float(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return number


def _text_lines(lines):
    """The non-blank lines of a JSON Lines object, as text (bytes are UTF-8)."""
    for line in lines:
        if isinstance(line, bytes):
            line = line.decode("utf-8")
        if line and line.strip():
            yield line


def decode_capture_lines(lines, feature_order):
    """Decodes SageMaker data-capture JSON Lines into a DataFrame of feature rows.

    Record format (SageMaker developer guide, "Capture data from real-time endpoint", viewing the
    captured data): ``{"captureData": {"endpointInput": {"observedContentType", "mode": "INPUT",
    "data", "encoding"}, "endpointOutput": {... "mode": "OUTPUT" ...}}, "eventMetadata": {"eventId",
    "inferenceId" (when the caller passed one), "inferenceTime"}, "eventVersion": "0"}``; ``encoding``
    is ``CSV`` or ``JSON`` (text as sent, for content types listed in CaptureContentTypeHeader) or
    ``BASE64`` (any other content type). A CSV request holds one row per line.

    Columns: the features (strings or numbers as sent; missing when a row is short), ``prediction``
    (the response's score for that row, NaN when the response does not hold one per row),
    ``inference_id`` (``inferenceId``, else ``eventId``: the key ground truth is matched on, as Model
    Monitor does), ``event_id``, ``row`` (the row's position in its request) and ``inference_time``.
    Blank and undecodable lines are skipped.
    """
    columns = list(feature_order) + ["prediction", "inference_id", "event_id", "row", "inference_time"]
    records = []
    for line in _text_lines(lines):
        try:
            record = json.loads(line)
            capture = record.get("captureData", {})
            request = capture.get("endpointInput")
            if not request:
                continue
            text = _payload(request)
            rows = _json_rows(json.loads(text), feature_order) if _is_json(request) else _csv_rows(text or "")
            response = capture.get("endpointOutput")
            scores = _predictions(_payload(response), _is_json(response)) if response else []
        except (ValueError, TypeError, AttributeError, UnicodeDecodeError, binascii.Error):
            continue
        meta = record.get("eventMetadata", {}) or {}
        key = meta.get("inferenceId") or meta.get("eventId")
        for position, row in enumerate(rows):
            values = list(row[: len(feature_order)]) + [None] * max(0, len(feature_order) - len(row))
            score = scores[position] if len(scores) == len(rows) else float("nan")
            records.append(values + [score, key, meta.get("eventId"), position, meta.get("inferenceTime")])
    return pd.DataFrame(records, columns=columns)


def decode_ground_truth_lines(lines):
    """Decodes Model Monitor ground-truth JSON Lines into a DataFrame ``inference_id, row, label``.

    Record format (SageMaker developer guide, "Ingest Ground Truth labels and merge them with
    predictions"): ``{"groundTruthData": {"data": "1", "encoding": "CSV"}, "eventMetadata":
    {"eventId": "<the inference id or event id of the captured record>"}, "eventVersion": "0"}``.
    ``data`` may hold one label per row of a multi-row request (lines or commas), matched by position.
    """
    records = []
    for line in _text_lines(lines):
        try:
            record = json.loads(line)
            section = record["groundTruthData"]
            key = record["eventMetadata"]["eventId"]
            labels = _predictions(_payload(section), _is_json(section))
        except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError, binascii.Error):
            continue
        for position, label in enumerate(labels):
            records.append([key, position, label])
    return pd.DataFrame(records, columns=["inference_id", "row", "label"])


# --------------------------------------------------------------------------------------------------
# Model quality


def average_ranks(values):
    """1-based ranks of ``values``, ties getting the average of the ranks they span."""
    values = np.asarray(values, dtype=float)
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    ranks = np.empty(values.size, dtype=float)
    start = 0
    while start < values.size:
        end = start
        while end + 1 < values.size and ordered[end + 1] == ordered[start]:
            end += 1
        ranks[order[start:end + 1]] = (start + end) / 2.0 + 1.0
        start = end + 1
    return ranks


def auc(scores, labels):
    """Area under the ROC curve by the rank-sum (Mann-Whitney U) formula, ties averaged:
    ``(sum of the positives' ranks - n1 (n1 + 1) / 2) / (n1 n0)``. None without both classes."""
    scores = np.asarray(scores, dtype=float)
    positive = np.asarray(labels, dtype=float) >= 0.5
    n1 = int(positive.sum())
    n0 = int(positive.size - n1)
    if n1 == 0 or n0 == 0:
        return None
    ranks = average_ranks(scores)
    return float((ranks[positive].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0))


def rmse(predictions, labels):
    """Root mean squared error. None without samples."""
    predictions = np.asarray(predictions, dtype=float)
    labels = np.asarray(labels, dtype=float)
    if predictions.size == 0:
        return None
    return float(np.sqrt(np.mean((predictions - labels) ** 2)))


QUALITY_METRICS = {"binary_classification": "auc", "regression": "rmse"}


def model_quality(predictions, labels, problem_type):
    """The quality of predictions against labels: ``{"metric": "auc" | "rmse", "value": x | None,
    "samples": n}``. Pairs where either side is missing (NaN) are left out of both the value and n."""
    if problem_type not in QUALITY_METRICS:
        raise ValueError(f"problem_type must be one of {', '.join(QUALITY_METRICS)}, got {problem_type!r}")
    p = np.asarray(predictions, dtype=float)
    y = np.asarray(labels, dtype=float)
    keep = np.isfinite(p) & np.isfinite(y)
    p, y = p[keep], y[keep]
    metric = QUALITY_METRICS[problem_type]
    value = auc(p, y) if metric == "auc" else rmse(p, y)
    return {"metric": metric, "value": value, "samples": int(p.size)}


# --------------------------------------------------------------------------------------------------
# Command line: python3 model_stats.py baseline --train <dir|file> --features a,b,c [--categorical x] --out <dir>


def read_training_split(path, features):
    """Reads the prepared split (bin/training/prepare.py: CSV, no header, the label then the features
    in order) from a file or every file under a directory; returns the feature columns as strings."""
    files = [path] if os.path.isfile(path) else sorted(
        f for f in glob.glob(os.path.join(path, "**", "*"), recursive=True) if os.path.isfile(f))
    frames = []
    for name in files:
        if os.path.getsize(name) == 0:
            continue
        frame = pd.read_csv(name, header=None, dtype=str, keep_default_na=False, na_values=["", "\\N"])
        if frame.shape[1] != len(features) + 1:
            raise ValueError(f"{name} has {frame.shape[1]} columns, expected {len(features) + 1} (the label, then {', '.join(features)})")
        frame.columns = ["__label__"] + list(features)
        frames.append(frame[list(features)])
    if not frames:
        raise ValueError(f"no rows under {path} ({len(files)} file(s))")
    return pd.concat(frames, ignore_index=True)


def _split(text):
    return [item for item in (text or "").split(",") if item]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="model_stats.py", description="Statistics of the data contract.")
    commands = parser.add_subparsers(dest="command", required=True)
    base = commands.add_parser("baseline", help="write <out>/baseline.json for a prepared training split")
    base.add_argument("--train", required=True, help="the prepared training split: a CSV file or a directory of them")
    base.add_argument("--features", required=True, help="the model's features, comma-separated, in input order")
    base.add_argument("--categorical", default="", help="the features among them that are categorical, comma-separated")
    base.add_argument("--bins", type=int, default=DEFAULT_BINS)
    base.add_argument("--out", required=True, help="directory to write baseline.json into")
    args = parser.parse_args(argv)

    features = _split(args.features)
    categorical = _split(args.categorical)
    unknown = [c for c in categorical if c not in features]
    if not features:
        parser.error("--features must name at least one feature")
    if unknown:
        parser.error(f"--categorical names {', '.join(unknown)}, which --features does not")
    try:
        frame = read_training_split(args.train, features)
    except ValueError as error:
        sys.stderr.write(f"model_stats: {error}\n")
        return 1
    types = {name: CATEGORICAL if name in categorical else NUMERIC for name in features}
    baseline = compute_baseline(frame, features, types, args.bins)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "baseline.json"), "w", encoding="utf-8") as handle:
        json.dump(baseline, handle, indent=1, sort_keys=False)
    print(f"baseline of {baseline['rows']} rows, {len(features)} feature(s) written to {os.path.join(args.out, 'baseline.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
