export * from './training-cluster-props';
export * from './training-cluster';
export * from './training-image';
export * from './retrain-trigger';
export * from './instance-types';
export * from './cluster-options';
export * as trainingPermissions from './perms';
