export * from './etl-pipeline-props';
export * from './etl-pipeline';
export { EtlPipelineBase } from './etl-pipeline-base';
export type { EtlPipelineAttributes } from './etl-pipeline-base';
export * as etlPermissions from './perms';
