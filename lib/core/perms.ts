/**
 * Network-interface actions SageMaker needs to place jobs, endpoints and monitoring jobs in a VPC.
 * These EC2 actions support no resource-level permissions; each capability's perms.ts re-exports
 * this one list.
 */
export const SAGEMAKER_VPC_ENI: readonly string[] = [
  'ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface',
  'ec2:DeleteNetworkInterfacePermission', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs',
  'ec2:DescribeDhcpOptions', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups',
];

/** Writing a SageMaker job's or container's logs (scoped by the caller to its log-group prefix). */
export const SAGEMAKER_LOGS_WRITE: readonly string[] = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'];
