/** The storage zones of a lakehouse, from landing to consumption. */
export enum LakehouseZone {
  /** Data as it arrived from sources; immutable, optionally under Object Lock. */
  RAW = 'raw',
  /** Cleaned, conformed data that training reads. */
  CURATED = 'curated',
  /** Aggregates, features and query results for analysts. */
  ANALYTICS = 'analytics',
}

/** Every zone, in lifecycle order. */
export const ALL_ZONES: readonly LakehouseZone[] = [LakehouseZone.RAW, LakehouseZone.CURATED, LakehouseZone.ANALYTICS];

/** True when `value` names a lakehouse zone. */
export function isLakehouseZone(value: unknown): value is LakehouseZone {
  return typeof value === 'string' && (ALL_ZONES as readonly string[]).includes(value);
}

/** `raw` -> `Raw`, for construct IDs. */
export function zoneId(zone: LakehouseZone): string {
  return zone.charAt(0).toUpperCase() + zone.slice(1);
}
