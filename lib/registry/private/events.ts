import * as events from 'aws-cdk-lib/aws-events';

/** Source of SageMaker events. */
export const SAGEMAKER_SOURCE = 'aws.sagemaker';
/** Detail type SageMaker sends when a model package (version) is created or changes approval status. */
export const PACKAGE_STATE_CHANGE = 'SageMaker Model Package State Change';
/** `ModelApprovalStatus` of an approved version. */
export const APPROVED = 'Approved';
/** `ModelApprovalStatus` of a rejected version. */
export const REJECTED = 'Rejected';
/** EventBridge's default quota on the size of an event pattern, in characters. */
export const MAX_EVENT_PATTERN_LENGTH = 2048;

/** The pattern matching approval-status changes of the given model package groups. */
export function approvalStatusPattern(groupNames: readonly string[], status: string, extra: events.EventPattern = {}): events.EventPattern {
  return {
    ...extra,
    source: [SAGEMAKER_SOURCE],
    detailType: [PACKAGE_STATE_CHANGE],
    detail: { ...extra.detail, ModelPackageGroupName: [...groupNames], ModelApprovalStatus: [status] },
  };
}

/** Length of a pattern as CloudFormation sends it to EventBridge (JSON with `detail-type`). */
export function renderedPatternLength(pattern: events.EventPattern): number {
  const { detailType, ...rest } = pattern;
  return JSON.stringify({ ...rest, ...(detailType ? { 'detail-type': detailType } : {}) }).length;
}
