export * from './zone';
export * from './column-type';
export * from './table';
export * from './data-lakehouse-props';
export * from './data-lakehouse';
export type { DataLakehouseAttributes, ImportedZoneAttributes, ImportedZonesAttributes } from './imported-lakehouse';
export * from './account-settings';
export * as lakehousePermissions from './perms';
