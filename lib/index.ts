export * from './core';
export * from './lakehouse';
