/* eslint-disable @typescript-eslint/no-explicit-any -- state machine JSON. */
/**
 * A fresh run's job parameters read their image, code, hyperparameters and inference image from the
 * pinned inputs (`$.pinned`, set by the PinCurrent Pass state from the deployed configuration).
 * `resolvePinned` substitutes PinCurrent's values into every state, so that assertions on the
 * deployed configuration read the values a fresh run uses; lineage.test.ts asserts the references.
 */
export function resolvePinned<T extends Record<string, any>>(states: T): T {
  const pin = states.PinCurrent?.Parameters;
  if (!pin) throw new Error('no PinCurrent state');
  const at = (path: string): unknown => path.split('.').reduce((o: any, k) => (o === undefined ? undefined : o[k]), pin);
  const walk = (value: any): any => {
    if (Array.isArray(value)) return value.map(walk);
    if (!value || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const pinned = typeof v === 'string' && k.endsWith('.$') ? /^\$\.pinned\.([\w.]+)$/.exec(v) : null;
      const array = typeof v === 'string' && k.endsWith('.$') ? /^States\.Array\('python3', \$\.pinned\.([\w.]+)\)$/.exec(v) : null;
      if (pinned) out[k.slice(0, -2)] = at(pinned[1]);
      else if (array) out[k.slice(0, -2)] = ['python3', at(array[1])];
      else out[k] = walk(v);
    }
    return out;
  };
  return Object.fromEntries(Object.entries(states).map(([name, s]) => [name, name === 'PinCurrent' ? s : walk(s)])) as T;
}
