/** IAM and Lake Formation action lists for lakehouse zone access. Explicit names only, never wildcards. */

/** Bucket-level S3 actions a zone reader needs. */
export const S3_BUCKET_READ = ['s3:ListBucket', 's3:GetBucketLocation'];
/** Object-level S3 actions a zone reader needs. */
export const S3_OBJECT_READ = ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging'];
/** Bucket-level S3 actions a zone writer needs in addition to reading. */
export const S3_BUCKET_WRITE = ['s3:ListBucketMultipartUploads'];
/** Object-level S3 actions a zone writer needs in addition to reading. */
export const S3_OBJECT_WRITE = ['s3:PutObject', 's3:PutObjectTagging', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'];

/** KMS actions for reading SSE-KMS objects and the encrypted catalog. */
export const KMS_READ = ['kms:Decrypt', 'kms:DescribeKey'];
/** KMS actions for writing SSE-KMS objects. */
export const KMS_WRITE = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'];

/** Glue Data Catalog actions for reading a zone's database and tables. */
export const GLUE_READ = [
  'glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetTableVersion', 'glue:GetTableVersions',
  'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition',
];
/** Glue Data Catalog actions for maintaining a zone's tables and partitions. */
export const GLUE_WRITE = [
  'glue:CreateTable', 'glue:UpdateTable', 'glue:CreatePartition', 'glue:BatchCreatePartition',
  'glue:UpdatePartition', 'glue:BatchUpdatePartition', 'glue:DeletePartition', 'glue:BatchDeletePartition',
];

/** Lake Formation credential vending, needed for every registered location. */
export const LAKEFORMATION_ACCESS = ['lakeformation:GetDataAccess'];

/** Lake Formation permissions on a zone database for readers and writers. */
export const LF_DATABASE_READ = ['DESCRIBE'];
export const LF_DATABASE_WRITE = ['DESCRIBE', 'CREATE_TABLE'];
/** Lake Formation permissions on every table of a zone database. */
export const LF_TABLE_READ = ['SELECT', 'DESCRIBE'];
export const LF_TABLE_WRITE = ['SELECT', 'DESCRIBE', 'INSERT', 'DELETE', 'ALTER'];
/** Lake Formation permission on a registered location, for writers that create tables there. */
export const LF_LOCATION_WRITE = ['DATA_LOCATION_ACCESS'];
