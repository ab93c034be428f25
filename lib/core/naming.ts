import { IConstruct } from 'constructs';
import { Platform } from './environment';

/** S3 bucket names this library accepts: 3-63 lowercase letters, digits and hyphens (no dots: they break TLS for virtual-hosted requests). */
export const BUCKET_NAME = /^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/;
/** Glue database, table and column names that Athena can query without quoting. */
export const GLUE_NAME = /^[a-z_][a-z0-9_]{0,254}$/;
/** Athena workgroup names. */
export const WORKGROUP_NAME = /^[a-zA-Z0-9._-]{1,128}$/;

/** Explains why a bucket name is not accepted, or returns undefined when it is. */
export function bucketNameProblem(name: string): string | undefined {
  if (!BUCKET_NAME.test(name)) {
    return 'must be 3-63 characters of lowercase letters, digits and hyphens, starting and ending with a letter or digit (dots are not accepted)';
  }
  if (name.includes('--')) return 'must not contain two hyphens in a row';
  if (name.startsWith('xn--') || name.startsWith('sthree-') || name.startsWith('amzn-s3-demo-')) {
    return 'must not start with a prefix reserved by S3 (xn--, sthree-, amzn-s3-demo-)';
  }
  if (/-s3alias$|--ol-s3$|\.mrap$|--x-s3$|--table-s3$/.test(name)) return 'must not end with a suffix reserved by S3';
  return undefined;
}

function words(parts: readonly string[], separator: string): string {
  return parts
    .map((p) => p.toLowerCase().replace(/[^a-z0-9]+/g, separator).replace(new RegExp(`^\\${separator}+|\\${separator}+$`, 'g'), ''))
    .filter((p) => p.length > 0)
    .join(separator);
}

/**
 * A Glue/Athena-safe physical name (`project_env_part_part`), for databases and tables whose names
 * users type in queries and therefore must be stable and readable.
 */
export function glueName(scope: IConstruct, ...parts: string[]): string {
  const s = Platform.of(scope);
  return words([s.project, s.profile.name, ...parts], '_').slice(0, 255);
}

/**
 * A hyphenated physical name (`project-env-part`), for resources that need a fixed readable
 * name such as Athena workgroups. Prefer generated names wherever a resource can be replaced.
 */
export function dashedName(scope: IConstruct, maxLength: number, ...parts: string[]): string {
  const s = Platform.of(scope);
  return words([s.project, s.profile.name, ...parts], '-').slice(0, maxLength).replace(/-+$/, '');
}
