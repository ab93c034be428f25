export * from './etl-pipeline-props';
export * from './etl-pipeline';
export * as etlPermissions from './perms';
