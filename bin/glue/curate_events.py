"""Curates raw events into the curated zone.

Reads the raw table's Parquet files straight from S3 (--source_path), drops rows without event_id,
event_time or customer_id, de-duplicates by event_id, derives the dt partition (yyyy-MM-dd) from
event_time and writes Snappy Parquet partitioned by dt (and by the run id when the pipeline names a
run partition key), adding the new partitions to the catalog as it writes.

Why S3 and not the catalog: Firehose writes dt=YYYY-MM-DD/ prefixes into the raw zone without
registering partitions, and a Glue job reads only catalog partitions (Athena partition projection
does not apply to Glue ETL), so create_dynamic_frame.from_catalog would read nothing. Job bookmarks
track S3 Parquet sources too ("Tracking processed data using job bookmarks": Parquet on Glue 1.0+),
keyed by transformation_ctx, so each run reads only objects that arrived since the last commit.

Arguments (set by EtlPipeline): --source_database --source_table --source_path --target_database
--target_table --target_path --run_id [--run_partition_key]
"""
import sys

from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from pyspark.sql import functions as F

REQUIRED = ["event_id", "event_time", "customer_id"]
COLUMNS = [
    ("event_id", "string"),
    ("event_time", "timestamp"),
    ("customer_id", "string"),
    ("tenure", "double"),
    ("monthly_charges", "double"),
    ("support_calls", "double"),
    ("churned", "double"),
]

names = ["JOB_NAME", "source_database", "source_table", "source_path",
         "target_database", "target_table", "target_path", "run_id"]
if "--run_partition_key" in sys.argv:
    names.append("run_partition_key")
args = getResolvedOptions(sys.argv, names)
run_key = args.get("run_partition_key")

glue_context = GlueContext(SparkContext.getOrCreate())
job = Job(glue_context)
job.init(args["JOB_NAME"], args)

raw = glue_context.create_dynamic_frame.from_options(
    connection_type="s3",
    connection_options={"paths": [args["source_path"]], "recurse": True},
    format="parquet",
    transformation_ctx="raw_events",  # the bookmark key
)
events = raw.toDF()
if events.rdd.isEmpty():
    job.commit()
    sys.exit(0)

curated = (
    events.select(*[F.col(name).cast(kind).alias(name) for name, kind in COLUMNS])
    .where(F.col("event_id").isNotNull() & F.col("event_time").isNotNull() & F.col("customer_id").isNotNull())
    .dropDuplicates(["event_id"])
    .withColumn("dt", F.date_format(F.col("event_time"), "yyyy-MM-dd"))
)
partition_keys = ["dt"]
if run_key:
    curated = curated.withColumn(run_key, F.lit(args["run_id"]))
    partition_keys.append(run_key)

# enableUpdateCatalog with updateBehavior LOG adds the new partitions to the declared table and
# leaves its schema alone ("Updating the schema, and adding new partitions in the Data Catalog
# using AWS Glue ETL jobs"), so the quality gate sees this run's data as soon as the job ends.
sink = glue_context.getSink(
    connection_type="s3",
    path=args["target_path"],
    enableUpdateCatalog=True,
    updateBehavior="LOG",
    partitionKeys=partition_keys,
    transformation_ctx="curated_events",
)
sink.setFormat("glueparquet", compression="snappy")
sink.setCatalogInfo(catalogDatabase=args["target_database"], catalogTableName=args["target_table"])
sink.writeFrame(DynamicFrame.fromDF(curated, glue_context, "curated"))
job.commit()
