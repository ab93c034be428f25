"""Cleans raw orders into the curated zone (example job for examples/etl-pipeline.ts).

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
    sys.argv, ["JOB_NAME", "source_database", "source_table", "target_database", "target_table", "target_path"]
)
glue_context = GlueContext(SparkContext.getOrCreate())
job = Job(glue_context)
job.init(args["JOB_NAME"], args)

orders = glue_context.create_dynamic_frame.from_catalog(
    database=args["source_database"], table_name=args["source_table"], transformation_ctx="raw_orders"
).toDF()
clean = (
    orders.where(F.col("order_id").isNotNull() & (F.col("amount") >= 0))
    .dropDuplicates(["order_id"])
)
sink = glue_context.getSink(
    connection_type="s3", path=args["target_path"], partitionKeys=["dt"], transformation_ctx="clean_orders"
)
sink.setFormat("glueparquet", compression="snappy")
sink.writeFrame(DynamicFrame.fromDF(clean, glue_context, "clean"))
job.commit()
