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

/** CPU cores as a quantity in whole millicores, rounded down: `1.5` -> `1500m`. */
export function formatCpu(cores: number): string {
  return `${Math.max(0, Math.floor(Math.round(cores * 1e6) / 1e3))}m`;
}

/** Bytes as a quantity in whole mebibytes, rounded down: `1.5 GiB` -> `1536Mi`. */
export function formatMemory(bytes: number): string {
  return `${Math.max(0, Math.floor(bytes / 1024 ** 2))}Mi`;
}
