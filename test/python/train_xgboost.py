"""Test helper: trains XGBoost on prepare.py's train split as the built-in algorithm would (CSV,
label first, no header) and writes model.tar.gz holding `xgboost-model` (Booster.save_model, as
SageMaker XGBoost 1.3-1 and later do)."""
import os
import sys
import tarfile
import tempfile

import pandas as pd
import xgboost as xgb

train_csv, archive = sys.argv[1], sys.argv[2]
train = pd.read_csv(train_csv, header=None)
booster = xgb.train({"objective": "binary:logistic", "max_depth": 3, "eta": 0.3, "seed": 7},
                    xgb.DMatrix(train.iloc[:, 1:].values, label=train.iloc[:, 0].values), num_boost_round=40)
with tempfile.TemporaryDirectory() as workdir:
    path = os.path.join(workdir, "xgboost-model")
    booster.save_model(path)
    with tarfile.open(archive, "w:gz") as out:
        out.add(path, arcname="xgboost-model")
