export * from './platform-config';
export * from './platform-stage';
export * from './build-platform';
export * from './limits';
