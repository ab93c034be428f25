import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** `account <id>, region <name>` of a construct's stack; environment-agnostic stacks deploy to the CLI's account and region. */
export function accountAndRegionOf(scope: IConstruct): string {
  const stack = Stack.of(scope);
  const part = (v: string, agnostic: string) => (Token.isUnresolved(v) ? agnostic : v);
  return `account ${part(stack.account, "of the CLI's credentials")}, region ${part(stack.region, "of the CLI's profile")}`;
}

interface Claim {
  /** `<what> in account ..., region ...`. */
  readonly key: string;
  readonly path: string;
  /** The synth error when more than one construct claims `key`. */
  readonly conflict: (key: string, paths: readonly string[]) => string;
}

const CLAIMS = new WeakMap<IConstruct, Claim[]>();

/**
 * Records that `scope` creates `what`, of which an AWS account and region holds one (an account-wide
 * setting, an ECR pull-through prefix). Once per app, a validation fails synth when two constructs
 * claim the same `what` in one account and region: each deploy would overwrite or refuse the
 * other's. `conflict` writes the error from the claim (`<what> in account ..., region ...`) and the
 * claimants' paths.
 */
export function claimAccountWide(scope: IConstruct, what: string, conflict: (key: string, paths: readonly string[]) => string): void {
  const root = scope.node.root;
  let claims = CLAIMS.get(root);
  if (!claims) {
    const list: Claim[] = [];
    claims = list;
    CLAIMS.set(root, list);
    root.node.addValidation({ validate: () => conflicts(list) });
  }
  claims.push({ key: `${what} in ${accountAndRegionOf(scope)}`, path: scope.node.path, conflict });
}

function conflicts(claims: readonly Claim[]): string[] {
  const groups = new Map<string, Claim[]>();
  for (const c of claims) groups.set(c.key, [...(groups.get(c.key) ?? []), c]);
  return [...groups.values()].filter((g) => g.length > 1).map((g) => g[0].conflict(g[0].key, g.map((c) => c.path)));
}
