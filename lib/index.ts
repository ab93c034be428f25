export * from './core';
export * from './lakehouse';
export * from './etl';
export * from './registry';
export * from './training';
export * from './inference';
export * from './monitoring';
export * from './platform';
