"""Curates raw events into the curated zone: de-duplicates by event_id, drops incomplete rows and
writes Parquet partitioned by dt. Job bookmarks make each run process only new raw partitions.

Arguments (set by EtlPipeline): --source_database --source_table --target_database --target_table --target_path
"""
import sys

from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from pyspark.sql import functions as F

args = getResolvedOptions(
    sys.argv,
    ["JOB_NAME", "source_database", "source_table", "target_database", "target_table", "target_path"],
)
glue_context = GlueContext(SparkContext.getOrCreate())
job = Job(glue_context)
job.init(args["JOB_NAME"], args)

raw = glue_context.create_dynamic_frame.from_catalog(
    database=args["source_database"],
    table_name=args["source_table"],
    transformation_ctx="raw_events",  # the bookmark key
)
events = raw.toDF()
if events.rdd.isEmpty():
    job.commit()
    sys.exit(0)

curated = (
    events.where(F.col("event_id").isNotNull() & F.col("event_time").isNotNull())
    .dropDuplicates(["event_id"])
    .withColumn("dt", F.date_format(F.col("event_time"), "yyyy-MM-dd"))
)

sink = glue_context.getSink(
    connection_type="s3",
    path=args["target_path"],
    enableUpdateCatalog=False,  # the pipeline's crawler owns catalog updates
    partitionKeys=["dt"],
    transformation_ctx="curated_events",
)
sink.setFormat("glueparquet", compression="snappy")
sink.writeFrame(DynamicFrame.fromDF(curated, glue_context, "curated"))
job.commit()
