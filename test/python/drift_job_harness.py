"""Runs lib/core/python/drift_job.py with in-memory fakes of the AWS clients it uses.

Reads a scenario from stdin (JSON): {"argv": [...], "now": ISO time, "objects": {"s3://b/k": text},
"parameters": {name: value}, "packages": {arn: DescribeModelPackage response}, "page_size": n}
and prints {"report", "calls"} (every call made to each fake, in order) as JSON.

The fakes answer as the AWS API references document the responses: S3 ListObjectsV2 (Contents[].Key,
IsTruncated, NextContinuationToken; at most MaxKeys keys per page), GetObject (Body, a stream),
PutObject; SSM GetParameter (Parameter.Value); SageMaker DescribeModelPackage; CloudWatch
PutMetricData (rejects more than 1000 MetricData, as the service does).
"""
import contextlib
import datetime as dt
import io
import json
import os
import sys
import traceback

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "lib", "core", "python"))
import drift_job  # noqa: E402


class Recorder:
    def __init__(self, calls, name):
        self.calls, self.name = calls, name

    def record(self, op, **kwargs):
        self.calls.setdefault(f"{self.name}.{op}", []).append(kwargs)


class FakeS3(Recorder):
    def __init__(self, calls, objects, page_size):
        super().__init__(calls, "s3")
        self.objects, self.page_size = objects, page_size

    def list_objects_v2(self, Bucket, Prefix, ContinuationToken=None):
        self.record("list_objects_v2", Bucket=Bucket, Prefix=Prefix, ContinuationToken=ContinuationToken)
        keys = sorted(k[len(f"s3://{Bucket}/"):] for k in self.objects if k.startswith(f"s3://{Bucket}/{Prefix}"))
        start = int(ContinuationToken or 0)
        page = keys[start:start + self.page_size]
        out = {"KeyCount": len(page), "Name": Bucket, "Prefix": Prefix, "MaxKeys": self.page_size, "IsTruncated": start + self.page_size < len(keys)}
        if page:
            out["Contents"] = [{"Key": k, "Size": len(self.objects[f"s3://{Bucket}/{k}"])} for k in page]
        if out["IsTruncated"]:
            out["NextContinuationToken"] = str(start + self.page_size)
        return out

    def get_object(self, Bucket, Key):
        self.record("get_object", Bucket=Bucket, Key=Key)
        text = self.objects.get(f"s3://{Bucket}/{Key}")
        if text is None:
            raise KeyError(f"NoSuchKey: s3://{Bucket}/{Key}")
        return {"Body": io.BytesIO(text.encode("utf-8")), "ContentLength": len(text)}

    def put_object(self, Bucket, Key, Body, ContentType=None):
        self.record("put_object", Bucket=Bucket, Key=Key, ContentType=ContentType, Body=json.loads(Body))
        return {"ETag": '"e"'}


class FakeSsm(Recorder):
    def __init__(self, calls, parameters):
        super().__init__(calls, "ssm")
        self.parameters = parameters

    def get_parameter(self, Name):
        self.record("get_parameter", Name=Name)
        return {"Parameter": {"Name": Name, "Type": "String", "Value": self.parameters[Name], "Version": 1}}


class FakeSageMaker(Recorder):
    def __init__(self, calls, packages):
        super().__init__(calls, "sagemaker")
        self.packages = packages

    def describe_model_package(self, ModelPackageName):
        self.record("describe_model_package", ModelPackageName=ModelPackageName)
        return self.packages[ModelPackageName]


class FakeCloudWatch(Recorder):
    def __init__(self, calls):
        super().__init__(calls, "cloudwatch")

    def put_metric_data(self, Namespace, MetricData):
        if len(MetricData) > 1000:
            raise ValueError("InvalidParameterValue: more than 1000 MetricData")
        for d in MetricData:
            if d["Value"] != d["Value"] or d["Value"] in (float("inf"), float("-inf")):
                raise ValueError("InvalidParameterValue: NaN or infinity")
        self.record("put_metric_data", Namespace=Namespace, MetricData=MetricData)


def run(scenario):
    calls = {}
    aws = {
        "s3": FakeS3(calls, scenario.get("objects", {}), scenario.get("page_size", 1000)),
        "ssm": FakeSsm(calls, scenario.get("parameters", {})),
        "sagemaker": FakeSageMaker(calls, scenario.get("packages", {})),
        "cloudwatch": FakeCloudWatch(calls),
    }
    now = dt.datetime.fromisoformat(scenario["now"])
    with contextlib.redirect_stdout(sys.stderr):
        report = drift_job.main(scenario["argv"], aws=aws, now=now)
    return {"report": report, "calls": calls}


def main():
    """One scenario: prints its result. A list of scenarios (one interpreter for many runs, each with
    fresh fakes): prints a list of results, {"error": traceback} for a run that raised."""
    scenarios = json.load(sys.stdin)
    if isinstance(scenarios, list):
        out = []
        for scenario in scenarios:
            try:
                out.append(run(scenario))
            except Exception:  # reported per scenario, so that one failing run fails only its test
                out.append({"error": traceback.format_exc()})
    else:
        out = run(scenarios)
    json.dump(out, sys.stdout, default=lambda o: o.isoformat() if hasattr(o, "isoformat") else str(o))


if __name__ == "__main__":
    main()
