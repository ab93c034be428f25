export * from './model-monitor-props';
export * from './model-monitor';
export * as modelMonitorPermissions from './perms';
