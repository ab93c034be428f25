/**
 * Firehose record transformation: keeps valid JSON events, stamps the ingestion time and drops
 * records that cannot be parsed (Firehose writes those under the error prefix as "ProcessingFailed").
 */
interface FirehoseRecord {
  readonly recordId: string;
  readonly data: string;
}

interface TransformationEvent {
  readonly records: FirehoseRecord[];
}

export async function handler(event: TransformationEvent) {
  return {
    records: event.records.map((record) => {
      try {
        const body = JSON.parse(Buffer.from(record.data, 'base64').toString('utf8')) as Record<string, unknown>;
        if (typeof body.event_id !== 'string') return { recordId: record.recordId, result: 'Dropped', data: record.data };
        const out = { ...body, ingested_at: new Date().toISOString() };
        return { recordId: record.recordId, result: 'Ok', data: Buffer.from(`${JSON.stringify(out)}\n`).toString('base64') };
      } catch {
        return { recordId: record.recordId, result: 'ProcessingFailed', data: record.data };
      }
    }),
  };
}
