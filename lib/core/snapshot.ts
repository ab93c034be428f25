/** Options for {@link normalizeTemplate}. */
export interface NormalizeOptions {
  /** The package version to blank wherever it appears. */
  readonly packageVersion?: string;
}

const ASSET_HASH = /[a-f0-9]{64}/g;

/**
 * Normalizes a synthesized template for a snapshot so that it changes only when the template
 * really changes: asset hashes become `<asset-hash>` and the package version becomes
 * `<version>`. Stacks under test should use a fixed account and region (see the test helpers)
 * so that those are stable too.
 */
export function normalizeTemplate<T>(template: T, options: NormalizeOptions = {}): T {
  const version = options.packageVersion;
  const versionPattern = version
    ? new RegExp(`(?<![0-9.])${version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![0-9.])`, 'g')
    : undefined;
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') {
      let s = value.replace(ASSET_HASH, '<asset-hash>');
      if (versionPattern) s = s.replace(versionPattern, '<version>');
      return s;
    }
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[walk(k) as string] = walk(v);
      return out;
    }
    return value;
  };
  return walk(template) as T;
}
