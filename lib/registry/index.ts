export * from './model-registry-props';
export * from './model-registry';
export * as registryPermissions from './perms';
