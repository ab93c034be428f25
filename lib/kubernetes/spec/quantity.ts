/**
 * Kubernetes resource quantities (`500m`, `2`, `16Gi`, `1.5`), parsed to compare them. Only the
 * forms this layer accepts: a decimal number with an optional decimal (m, k, M, G, T) or binary
 * (Ki, Mi, Gi, Ti) suffix.
 */
const QUANTITY = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;

const FACTORS: Record<string, number> = {
  '': 1, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12,
  'Ki': 1024, 'Mi': 1024 ** 2, 'Gi': 1024 ** 3, 'Ti': 1024 ** 4,
};

/** What a quantity must look like, for error messages. */
export const QUANTITY_FORMAT = 'a positive Kubernetes quantity such as 500m, 2, 16Gi (suffixes m, k, M, G, T, Ki, Mi, Gi, Ti)';

/** The quantity's value in base units (cores, bytes), or undefined when it is not a quantity this layer accepts. */
export function parseQuantity(q: string): number | undefined {
  if (typeof q !== 'string') return undefined;
  const m = QUANTITY.exec(q);
  if (!m) return undefined;
  return Number(m[1]) * FACTORS[m[2] ?? ''];
}

/**
 * A count in the canonical form Kubernetes serializes a decimal quantity to (`resource.Quantity`
 * `CanonicalizeBytes`): the largest of the suffixes m, (none), k, M, G, T, P, E that keeps the
 * mantissa a whole number, so `14000m` is `14` and `1500m` stays `1500m`. Operators that decode and
 * re-encode an object (Kueue's webhooks, KServe's) return this form; writing any other form gives
 * `kubernetes_manifest` a permanent diff.
 */
function canonicalDecimal(milli: number): string {
  if (milli === 0) return '0';
  const suffixes = ['m', '', 'k', 'M', 'G', 'T', 'P', 'E'];
  let value = milli;
  let i = 0;
  while (i < suffixes.length - 1 && value % 1000 === 0) {
    value /= 1000;
    i += 1;
  }
  return `${value}${suffixes[i]}`;
}

/** Bytes in canonical binary form: the largest of Ki, Mi, Gi, Ti, Pi, Ei that keeps a whole mantissa (`61440Mi` is `60Gi`). */
function canonicalBinary(bytes: number): string {
  if (bytes === 0) return '0';
  const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
  let value = bytes;
  let i = 0;
  while (i < suffixes.length - 1 && value % 1024 === 0) {
    value /= 1024;
    i += 1;
  }
  return `${value}${suffixes[i]}`;
}

/** CPU cores as a canonical quantity in whole millicores, rounded down: `1.5` -> `1500m`, `14` -> `14`. */
export function formatCpu(cores: number): string {
  return canonicalDecimal(Math.max(0, Math.floor(Math.round(cores * 1e6) / 1e3)));
}

/** Bytes as a canonical quantity in whole mebibytes, rounded down: `1.5 GiB` -> `1536Mi`, `60 GiB` -> `60Gi`. */
export function formatMemory(bytes: number): string {
  return canonicalBinary(Math.max(0, Math.floor(bytes / 1024 ** 2)) * 1024 ** 2);
}

/**
 * A quantity this layer accepts, rewritten to the canonical form the API server and operators
 * return (`1000m` -> `1`, `2048Mi` -> `2Gi`, `0.5` -> `500m`); binary suffixes stay binary and
 * decimal ones decimal, as Kubernetes keeps the format of the value it was given. Quantities
 * finer than a millicore (decimal) or a byte (binary) are returned unchanged.
 */
export function canonicalQuantity(q: string): string {
  const m = QUANTITY.exec(q);
  if (!m) return q;
  const value = parseQuantity(q)!;
  if (m[2] && m[2].endsWith('i')) return Number.isInteger(value) ? canonicalBinary(value) : q;
  const milli = Math.round(value * 1e3);
  return Math.abs(milli - value * 1e3) < 1e-6 ? canonicalDecimal(milli) : q;
}
