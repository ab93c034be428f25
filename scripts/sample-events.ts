/**
 * Deterministic sample events of the churn reference workload, as producers put them on the
 * ingest stream (one JSON object per Kinesis record). Each event is a snapshot of one customer:
 * the model's features plus the label `churned` once it is known (null for recent customers).
 * Churn follows a logistic function of the features, so a model trained on them reaches an AUC
 * well above the registration threshold.
 *
 * Timestamps are written `yyyy-MM-dd HH:mm:ss`, a form the Firehose JSON-to-Parquet conversion
 * parses into the table's `timestamp` column (java.sql.Timestamp::valueOf; Amazon Data Firehose
 * API reference, HiveJsonSerDe/OpenXJsonSerDe "TimestampFormats").
 */

/** One event as put on the stream. */
export interface ChurnEvent {
  readonly event_id: string;
  readonly event_time: string;
  readonly customer_id: string;
  readonly tenure: number;
  readonly monthly_charges: number;
  readonly support_calls: number;
  readonly churned: number | null;
}

/** The features of the churn model, in the model's input order (the data contract of the default app). */
export const CHURN_FEATURES = ['tenure', 'monthly_charges', 'support_calls'] as const;

/** A small linear congruential generator: the same seed gives the same events on every machine. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Probability of churn for a customer's features. */
export function churnProbability(tenure: number, monthlyCharges: number, supportCalls: number): number {
  const z = -1.2 - 0.08 * tenure + 0.035 * monthlyCharges + 0.7 * supportCalls;
  return 1 / (1 + Math.exp(-z));
}

/**
 * `count` events for `count` distinct customers, at `day` (UTC, `yyyy-MM-dd`); `labelledShare` of
 * them carry a label.
 */
export function sampleEvents(count: number, options: { seed?: number; day?: string; labelledShare?: number } = {}): ChurnEvent[] {
  const next = random(options.seed ?? 42);
  const day = options.day ?? '2026-12-01';
  const labelled = options.labelledShare ?? 0.9;
  return Array.from({ length: count }, (_, i) => {
    const tenure = Math.round(next() * 72);
    const monthlyCharges = Math.round((20 + next() * 100) * 100) / 100;
    const supportCalls = Math.floor(next() * 8);
    const churned = next() < churnProbability(tenure, monthlyCharges, supportCalls) ? 1 : 0;
    const second = i % 86400;
    const time = `${String(Math.floor(second / 3600)).padStart(2, '0')}:${String(Math.floor(second / 60) % 60).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}`;
    return {
      event_id: `evt-${options.seed ?? 42}-${i}`,
      event_time: `${day} ${time}`,
      customer_id: `cust-${String(i).padStart(6, '0')}`,
      tenure,
      monthly_charges: monthlyCharges,
      support_calls: supportCalls,
      churned: next() < labelled ? churned : null,
    };
  });
}

/** One CSV request line for the endpoint: the features in the model's input order, no header. */
export function inferenceRow(event: ChurnEvent): string {
  return CHURN_FEATURES.map((f) => String(event[f])).join(',');
}
