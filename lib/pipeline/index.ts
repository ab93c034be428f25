export * from './delivery-pipeline-props';
export * from './platform-source';
export * from './delivery-pipeline';
