export * from './monitoring-stack-props';
export * from './monitoring-stack';
export * from './model-monitor-index';
