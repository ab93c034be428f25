export * from './app';
export * from './kubernetes-stack';
export { TYPED_RESOURCE_TYPES, terraformResourceType } from './typed-resources';
