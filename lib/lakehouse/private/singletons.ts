import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Settings of which an AWS account and region holds exactly one. */
export type AccountSingleton = 'Glue Data Catalog encryption settings' | 'Lake Formation data lake settings';

interface Claim {
  readonly what: AccountSingleton;
  readonly where: string;
  readonly path: string;
}

const CLAIMS = new WeakMap<IConstruct, Claim[]>();

/** `<account>/<region>` of a construct's stack; environment-agnostic stacks deploy to the CLI's account and region. */
function placeOf(scope: IConstruct): string {
  const stack = Stack.of(scope);
  const part = (v: string, agnostic: string) => (Token.isUnresolved(v) ? agnostic : v);
  return `account ${part(stack.account, "of the CLI's credentials")}, region ${part(stack.region, "of the CLI's profile")}`;
}

/**
 * Records that `scope` creates an account-wide setting. Once per app, a validation fails synth when
 * two constructs claim the same setting in one account and region: each deploy would overwrite
 * the other's (the last one wins), and the other environments would lose catalog access.
 */
export function claimAccountSingleton(scope: IConstruct, what: AccountSingleton): void {
  const root = scope.node.root;
  let claims = CLAIMS.get(root);
  if (!claims) {
    const list: Claim[] = [];
    claims = list;
    CLAIMS.set(root, list);
    root.node.addValidation({ validate: () => conflicts(list) });
  }
  claims.push({ what, where: placeOf(scope), path: scope.node.path });
}

function conflicts(claims: readonly Claim[]): string[] {
  const groups = new Map<string, Claim[]>();
  for (const c of claims) {
    const k = `${c.what} in ${c.where}`;
    groups.set(k, [...(groups.get(k) ?? []), c]);
  }
  return [...groups.entries()].filter(([, g]) => g.length > 1).map(([k, g]) =>
    `${k} are claimed by ${g.length} constructs (${g.map((c) => c.path).join(', ')}): exactly one stack per account and region may own them. ` +
    'Keep them in one LakehouseAccountSettings (buildPlatform gives them to the first environment of each account and region) and set ' +
    'manageCatalogEncryption: false and lakeFormation.manageSettings: false on the other lakehouses (PlatformStage: ownsAccountSettings: false).');
}
