export * from './model-registry-props';
export * from './registry-base';
export * from './model-registry';
export * as registryPermissions from './perms';
