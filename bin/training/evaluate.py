"""Evaluates the trained model on the held-out test split and writes evaluation.json in the
format the retraining workflow reads: {"metrics": {"<name>": <number>}}.

Inputs:  /opt/ml/processing/input/model/model.tar.gz, /opt/ml/processing/input/data/test.csv
Output:  /opt/ml/processing/output/evaluation.json
"""
import json
import os
import tarfile

import pandas as pd
import xgboost as xgb
from sklearn.metrics import accuracy_score, roc_auc_score

MODEL = "/opt/ml/processing/input/model/model.tar.gz"
TEST = "/opt/ml/processing/input/data/test.csv"
OUT = "/opt/ml/processing/output"

with tarfile.open(MODEL) as archive:
    archive.extractall("/tmp/model", filter="data")
booster = xgb.Booster()
booster.load_model("/tmp/model/xgboost-model")

test = pd.read_csv(TEST, header=None)
labels, features = test.iloc[:, 0], test.iloc[:, 1:]
scores = booster.predict(xgb.DMatrix(features.values))
report = {
    "metrics": {
        "auc": float(roc_auc_score(labels, scores)),
        "accuracy": float(accuracy_score(labels, scores > 0.5)),
        "samples": int(len(labels)),
    }
}
os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "evaluation.json"), "w", encoding="utf-8") as out:
    json.dump(report, out)
print(json.dumps(report))
