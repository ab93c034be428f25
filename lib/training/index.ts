export * from './training-cluster-props';
export * from './training-cluster';
export * from './retrain-trigger';
export * from './instance-types';
export * from './cluster-options';
export * as trainingPermissions from './perms';
