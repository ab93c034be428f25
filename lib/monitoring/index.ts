export * from './monitoring-stack-props';
export * from './monitoring-stack';
export * from './drift-metrics';
export * from './drift-monitor-props';
export * from './drift-monitor';
export * from './model-monitor-index';
