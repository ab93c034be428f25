import { IConstruct } from 'constructs';
import { claimAccountWide } from '../../core/account-wide';

/** Settings of which an AWS account and region holds exactly one. */
export type AccountSingleton = 'Glue Data Catalog encryption settings' | 'Lake Formation data lake settings';

/**
 * Records that `scope` creates an account-wide setting. Once per app, a validation fails synth when
 * two constructs claim the same setting in one account and region: each deploy would overwrite
 * the other's (the last one wins), and the other environments would lose catalog access.
 */
export function claimAccountSingleton(scope: IConstruct, what: AccountSingleton): void {
  claimAccountWide(scope, what, (key, paths) =>
    `${key} are claimed by ${paths.length} constructs (${paths.join(', ')}): exactly one stack per account and region may own them. ` +
    'Keep them in one LakehouseAccountSettings (buildPlatform gives them to the first environment of each account and region) and set ' +
    'manageCatalogEncryption: false and lakeFormation.manageSettings: false on the other lakehouses (PlatformStage: ownsAccountSettings: false).');
}
