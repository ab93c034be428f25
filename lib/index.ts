export * from './core';
export * from './lakehouse';
export * from './etl';
