export * from './instance-types';
export * from './model-source';
export * from './approved-version-parameter';
export * from './deployment';
export * from './inference-endpoint-props';
export * from './inference-endpoint';
export * as inferencePermissions from './perms';
export * from './promotion-workflow-props';
export * from './promotion-workflow';
