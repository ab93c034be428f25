export * from './etl-pipeline-props';
export * from './etl-pipeline';
export { EtlPipelineAttributes, EtlPipelineBase } from './etl-pipeline-base';
export * as etlPermissions from './perms';
