export * from './platform-pipeline-props';
export * from './platform-source';
export * from './platform-pipeline';
