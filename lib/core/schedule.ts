/**
 * Validation of EventBridge schedule expressions (`rate(...)` and `cron(...)`), so that a bad
 * schedule fails at synth with a clear message instead of at deploy time.
 */

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly CronField[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day-of-week', min: 1, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
  { name: 'year', min: 1970, max: 2199 },
];

function valueOf(token: string, f: CronField): number | undefined {
  if (/^\d+$/.test(token)) return Number(token);
  const i = f.names?.indexOf(token.toUpperCase()) ?? -1;
  return i >= 0 ? i + 1 : undefined;
}

function fieldProblem(text: string, f: CronField, index: number): string | undefined {
  if (text === '*') return undefined;
  if (text === '?') return index === 2 || index === 4 ? undefined : `"?" is only allowed in day-of-month or day-of-week, not ${f.name}`;
  for (const part of text.split(',')) {
    let base = part;
    const slash = part.split('/');
    if (slash.length > 2) return `${f.name} "${part}" has more than one "/"`;
    if (slash.length === 2) {
      base = slash[0];
      if (!/^\d+$/.test(slash[1]) || Number(slash[1]) < 1) return `${f.name} step "${slash[1]}" must be a positive integer`;
    }
    if (base === '*') continue;
    if (index === 2 && /^(L|LW|\d{1,2}W)$/.test(base)) continue;
    if (index === 4 && /^(\d|[A-Z]{3})(#[1-5]|L)$/i.test(base)) continue;
    const range = base.split('-');
    if (range.length > 2) return `${f.name} "${part}" is not a value or range`;
    const values = range.map((t) => valueOf(t, f));
    for (const [i, v] of values.entries()) {
      if (v === undefined) return `${f.name} "${range[i]}" is not a number${f.names ? ' or name' : ''}`;
      if (v < f.min || v > f.max) return `${f.name} ${v} is outside ${f.min}-${f.max}`;
    }
  }
  return undefined;
}

/**
 * Why an EventBridge schedule expression is invalid, or undefined when it is valid.
 *
 * Accepts `rate(<n> <unit>)` (singular unit for 1, plural otherwise) and six-field
 * `cron(minutes hours day-of-month month day-of-week year)` with exactly one of day-of-month and
 * day-of-week set to `?`.
 */
export function scheduleProblem(expression: string): string | undefined {
  const rate = RATE.exec(expression);
  if (rate) {
    const n = Number(rate[1]);
    if (n < 1) return 'a rate must be at least 1';
    const singular = !rate[2].endsWith('s');
    if (n === 1 && !singular) return `use "rate(1 ${rate[2].slice(0, -1)})" for a rate of 1`;
    if (n > 1 && singular) return `use "rate(${n} ${rate[2]}s)" for a rate above 1`;
    return undefined;
  }
  if (expression.startsWith('rate(')) return 'a rate is "rate(<positive integer> minute(s)|hour(s)|day(s))"';
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) return 'must be "rate(...)" or "cron(...)"';
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) return `cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`;
  for (const [i, f] of FIELDS.entries()) {
    const p = fieldProblem(fields[i], f, i);
    if (p) return p;
  }
  const dom = fields[2] === '?';
  const dow = fields[4] === '?';
  if (dom === dow) return 'exactly one of day-of-month and day-of-week must be "?"';
  return undefined;
}
