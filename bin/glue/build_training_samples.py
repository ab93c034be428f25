"""Builds the churn training table (Iceberg) from curated events.

For each customer_id, the latest event (by event_time, then event_id) whose label `churned` is
known becomes one sample:

    sample_id string (= customer_id), tenure double, monthly_charges double, support_calls double,
    churned double (0 or 1), observed_at timestamp, sample_date date (partition, date of observed_at)

The samples are merged into the target on sample_id with one Spark SQL MERGE INTO, so every run is
one Iceberg snapshot of the whole table. The source is read in full (a customer's latest labelled
event may be old), through the Glue Data Catalog (--enable-glue-datacatalog); the Iceberg target
through the `glue_catalog` Spark catalog that EtlPipeline configures with --datalake-formats iceberg
and --conf ("Using the Iceberg framework in AWS Glue").

Arguments (set by EtlPipeline): --source_database --source_table --target_database --target_table
--target_path (the target is a declared catalog table; its location is the table's own)
"""
import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from pyspark.sql import Window
from pyspark.sql import functions as F

args = getResolvedOptions(
    sys.argv,
    ["JOB_NAME", "source_database", "source_table", "target_database", "target_table", "target_path"],
)
glue_context = GlueContext(SparkContext.getOrCreate())
spark = glue_context.spark_session
job = Job(glue_context)
job.init(args["JOB_NAME"], args)

source = f"`{args['source_database']}`.`{args['source_table']}`"
target = f"glue_catalog.`{args['target_database']}`.`{args['target_table']}`"

labelled = spark.table(source).where(
    F.col("customer_id").isNotNull() & F.col("event_time").isNotNull() & F.col("churned").isNotNull()
)
latest = Window.partitionBy("customer_id").orderBy(F.col("event_time").desc(), F.col("event_id").desc())
samples = (
    labelled.withColumn("_rank", F.row_number().over(latest))
    .where(F.col("_rank") == 1)
    .select(
        F.col("customer_id").cast("string").alias("sample_id"),
        F.col("tenure").cast("double").alias("tenure"),
        F.col("monthly_charges").cast("double").alias("monthly_charges"),
        F.col("support_calls").cast("double").alias("support_calls"),
        F.when(F.col("churned").cast("double") > 0, F.lit(1.0)).otherwise(F.lit(0.0)).alias("churned"),
        F.col("event_time").cast("timestamp").alias("observed_at"),
        F.to_date(F.col("event_time")).alias("sample_date"),
    )
)
samples.createOrReplaceTempView("samples")

spark.sql(
    f"""
    MERGE INTO {target} AS t
    USING samples AS s
    ON t.sample_id = s.sample_id
    WHEN MATCHED THEN UPDATE SET *
    WHEN NOT MATCHED THEN INSERT *
    """
)
job.commit()
