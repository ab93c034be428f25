"""The platform's scheduled drift and model-quality job for one endpoint (a Glue 5.0 job).

Runs as plain Python on the Glue driver (Python 3.11 with pandas, numpy and boto3 provided; no Spark
is used). ``model_stats`` comes from the same directory: the Glue job passes the ``model_stats.py``
asset as ``--extra-py-files`` ("Using Python libraries with AWS Glue", AWS Glue developer guide:
``--extra-py-files`` names Amazon S3 paths of Python files that Glue adds to the Python path before
running the script), and local runs and tests find it next to this file.

Arguments (the Glue job's DefaultArguments; Glue adds its own such as ``--JOB_NAME``, which are
ignored)::

    --endpoint_name NAME            the endpoint (metric dimension, report and capture paths)
    --variant_names A,B             the production variants whose captured data is read
    --capture_uri s3://b/p/         data capture prefix of the endpoint; SageMaker writes
                                    <capture_uri><variant>/yyyy/mm/dd/hh/<file>.jsonl
    --served_version_parameter P    SSM parameter holding the served model package ARN
    --placeholder none              its value before the first approval
    --report_uri s3://b/p/          reports go to <report_uri>yyyy/mm/dd/hh/report.json
    --window_hours 24               the window: the N whole hours (UTC) before the job's start hour
    --min_records 100               fewer captured records: insufficient data, no drift published
    --metric_spec JSON              DRIFT_METRIC_SPEC (lib/monitoring/drift-metrics.ts)
    --ground_truth_uri s3://b/p/    Model Monitor-format ground truth, <uri>yyyy/mm/dd/hh/*.jsonl; or none
    --problem_type binary_classification | regression
    --quality_metric auc | rmse     the ModelQuality metric's Metric dimension

Flow: read the served version from SSM (the placeholder: report ``no_approved_version``, publish
nothing); DescribeModelPackage -> ``DriftCheckBaselines.ModelDataQuality.Statistics.S3Uri`` (none:
report ``no_baseline``, publish CapturedRecords only); read the window's capture files of every
variant; drift against the baseline (``model_stats.drift_report``); ground truth of the same hours
joined by inference id -> quality; write the report; publish the metrics of the spec.
"""
import argparse
import datetime as dt
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import model_stats  # noqa: E402  (next to this file, or on the path through --extra-py-files)
except ImportError as error:  # pragma: no cover - a deployment mistake, said plainly
    raise SystemExit(
        "drift_job: cannot import model_stats; pass the library's model_stats zip (modelStatsLibrary in "
        f"lib/core/python-assets.ts) as --extra-py-files: {error}")

# PutMetricData (CloudWatch API reference): "Each request is also limited to no more than 1000
# different metrics" (and 1 MB); values must be finite (NaN and infinity are rejected).
MAX_METRIC_DATA = 1000


def arguments(argv=None):
    # allow_abbrev=False: Glue's own arguments must never be taken for a prefix of ours.
    parser = argparse.ArgumentParser(prog="drift_job.py", allow_abbrev=False)
    parser.add_argument("--endpoint_name", required=True)
    parser.add_argument("--variant_names", required=True)
    parser.add_argument("--capture_uri", required=True)
    parser.add_argument("--served_version_parameter", required=True)
    parser.add_argument("--placeholder", default="none")
    parser.add_argument("--report_uri", required=True)
    parser.add_argument("--window_hours", type=int, default=24)
    parser.add_argument("--min_records", type=int, default=100)
    parser.add_argument("--metric_spec", required=True)
    parser.add_argument("--ground_truth_uri", default="none")
    parser.add_argument("--problem_type", default="binary_classification", choices=sorted(model_stats.QUALITY_METRICS))
    parser.add_argument("--quality_metric", default="auc")
    args, _ = parser.parse_known_args(argv)
    args.variant_names = [v for v in args.variant_names.split(",") if v]
    args.metric_spec = json.loads(args.metric_spec)
    if args.window_hours < 1:
        parser.error(f"--window_hours must be at least 1, got {args.window_hours}")
    return args


def clients():
    """The AWS clients the job uses (the one place boto3 is called, so tests can pass fakes)."""
    import boto3  # provided by Glue; imported here so that tests need no boto3

    return {name: boto3.client(name) for name in ("s3", "ssm", "sagemaker", "cloudwatch")}


# --------------------------------------------------------------------------------------------------
# S3


def split_uri(uri):
    if not uri.startswith("s3://"):
        raise ValueError(f"not an s3:// URI: {uri}")
    bucket, _, key = uri[len("s3://"):].partition("/")
    return bucket, key


def with_slash(prefix):
    return prefix if prefix.endswith("/") else prefix + "/"


def list_keys(s3, uri):
    """Every key under an s3:// prefix. ListObjectsV2 (S3 API reference) returns at most 1000 keys
    per call, with IsTruncated and NextContinuationToken to page on."""
    bucket, prefix = split_uri(uri)
    keys, token = [], None
    while True:
        request = {"Bucket": bucket, "Prefix": prefix}
        if token:
            request["ContinuationToken"] = token
        page = s3.list_objects_v2(**request)
        keys.extend(item["Key"] for item in page.get("Contents", []))
        if not page.get("IsTruncated"):
            return [f"s3://{bucket}/{k}" for k in sorted(keys)]
        token = page["NextContinuationToken"]


def read_text(s3, uri):
    bucket, key = split_uri(uri)
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")


def window_hours(start, hours):
    """The window's hours, oldest first: the ``hours`` whole UTC hours before ``start``'s hour (the
    hour in progress is still being written, so it belongs to the next run)."""
    top = start.astimezone(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)
    return [top - dt.timedelta(hours=h) for h in range(hours, 0, -1)]


def hour_path(hour):
    # Data capture and Model Monitor ground truth: <prefix>yyyy/mm/dd/hh/ (SageMaker developer guide).
    return hour.strftime("%Y/%m/%d/%H/")


def read_lines(s3, prefixes):
    lines = []
    for prefix in prefixes:
        for uri in list_keys(s3, prefix):
            lines.extend(read_text(s3, uri).splitlines())
    return lines


# --------------------------------------------------------------------------------------------------
# Metrics


def metric_data(spec, args, report, timestamp):
    """The PutMetricData entries for a report, named and dimensioned exactly as the spec says."""
    names, dims = spec["metrics"], spec["dimensions"]
    endpoint = [{"Name": dims["endpoint"], "Value": args.endpoint_name}]

    def datum(name, value, dimensions=None, unit="None"):
        return {"MetricName": names[name], "Dimensions": dimensions or endpoint, "Timestamp": timestamp, "Value": float(value), "Unit": unit}

    data = []
    status = report["status"]
    if status == "no_approved_version":
        return data
    data.append(datum("capturedRecords", report["records"], unit="Count"))
    if status == "no_baseline":
        return data
    data.append(datum("insufficientData", 1 if status == "insufficient_data" else 0))
    if status == "ok":
        for feature, value in sorted(report["drift"]["features"].items()):
            data.append(datum("featureDrift", value, endpoint + [{"Name": dims["feature"], "Value": feature}]))
        if report["drift"]["max_drift"] is not None:
            data.append(datum("maxDrift", report["drift"]["max_drift"]))
    quality = report.get("quality")
    if quality is not None:
        data.append(datum("groundTruthSamples", quality["samples"], unit="Count"))
        if quality["value"] is not None:
            data.append(datum("modelQuality", quality["value"], endpoint + [{"Name": dims["qualityMetric"], "Value": args.quality_metric}]))
    return data


def publish(cloudwatch, spec, data):
    for start in range(0, len(data), MAX_METRIC_DATA):
        cloudwatch.put_metric_data(Namespace=spec["namespace"], MetricData=data[start:start + MAX_METRIC_DATA])


# --------------------------------------------------------------------------------------------------
# The job


def baseline_uri(sagemaker, package_arn):
    """``DriftCheckBaselines.ModelDataQuality.Statistics.S3Uri`` of a model package (DescribeModelPackage
    response, SageMaker API reference), or None when the version has none."""
    described = sagemaker.describe_model_package(ModelPackageName=package_arn)
    return (((described.get("DriftCheckBaselines") or {}).get("ModelDataQuality") or {}).get("Statistics") or {}).get("S3Uri")


def run(args, aws, now):
    hours = window_hours(now, args.window_hours)
    report = {
        "endpoint": args.endpoint_name,
        "generated_at": now.astimezone(dt.timezone.utc).isoformat(),
        "window": {"start": hours[0].isoformat(), "end": (hours[-1] + dt.timedelta(hours=1)).isoformat(), "hours": args.window_hours},
        "variants": args.variant_names,
    }
    served = aws["ssm"].get_parameter(Name=args.served_version_parameter)["Parameter"]["Value"]
    if served.strip() == args.placeholder:
        report.update({"status": "no_approved_version", "served_version": None})
        return report
    report["served_version"] = served
    uri = baseline_uri(aws["sagemaker"], served)
    report["baseline_uri"] = uri

    baseline = json.loads(read_text(aws["s3"], uri)) if uri else None
    order = baseline["feature_order"] if baseline else []
    capture = with_slash(args.capture_uri)
    per_variant = {}
    frames = []
    for variant in args.variant_names:
        lines = read_lines(aws["s3"], [f"{capture}{variant}/{hour_path(h)}" for h in hours])
        frame = model_stats.decode_capture_lines(lines, order)
        frame["variant"] = variant
        per_variant[variant] = int(len(frame))
        frames.append(frame)
    captured = model_stats.pd.concat(frames, ignore_index=True) if frames else model_stats.pd.DataFrame()
    report["records"] = int(len(captured))
    report["records_per_variant"] = per_variant
    if baseline is None:
        report["status"] = "no_baseline"
        return report

    drift = model_stats.drift_report(baseline, captured, args.min_records)
    report["status"] = drift["status"]
    report["min_records"] = args.min_records
    report["drift"] = drift

    if args.ground_truth_uri.lower() != "none" and len(captured):
        truth = model_stats.decode_ground_truth_lines(
            read_lines(aws["s3"], [f"{with_slash(args.ground_truth_uri)}{hour_path(h)}" for h in hours]))
        joined = captured.merge(truth.drop_duplicates(["inference_id", "row"], keep="last"), on=["inference_id", "row"], how="inner")
        quality = model_stats.model_quality(joined["prediction"].to_numpy(), joined["label"].to_numpy(), args.problem_type)
        quality["metric"] = args.quality_metric
        report["quality"] = quality
    elif args.ground_truth_uri.lower() != "none":
        report["quality"] = {"metric": args.quality_metric, "value": None, "samples": 0}
    return report


def main(argv=None, aws=None, now=None):
    args = arguments(argv)
    aws = aws or clients()
    now = now or dt.datetime.now(dt.timezone.utc)
    report = run(args, aws, now)
    top = window_hours(now, 1)[0] + dt.timedelta(hours=1)
    bucket, prefix = split_uri(with_slash(args.report_uri))
    key = f"{prefix}{hour_path(top)}report.json"
    aws["s3"].put_object(Bucket=bucket, Key=key, Body=json.dumps(report, indent=1, default=str).encode("utf-8"), ContentType="application/json")
    publish(aws["cloudwatch"], args.metric_spec, metric_data(args.metric_spec, args, report, top))
    print(f"drift job: {report['status']}; report s3://{bucket}/{key}")
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
