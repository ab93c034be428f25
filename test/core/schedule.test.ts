import * as fc from 'fast-check';
import { scheduleProblem } from '../../lib';

describe('scheduleProblem', () => {
  test.each([
    'rate(1 minute)', 'rate(5 minutes)', 'rate(1 hour)', 'rate(12 hours)', 'rate(1 day)', 'rate(7 days)',
    'cron(0 2 * * ? *)', 'cron(15 10 ? * MON-FRI *)', 'cron(0/15 * * * ? *)', 'cron(0 8 1,15 * ? 2027)',
    'cron(0 0 L * ? *)', 'cron(0 9 ? * 6#3 *)', 'cron(30 6 ? JAN-MAR SUN *)',
  ])('accepts %s', (e) => expect(scheduleProblem(e)).toBeUndefined());

  test.each([
    ['rate(0 minutes)', /at least 1/], ['rate(1 minutes)', /rate\(1 minute\)/], ['rate(5 minute)', /rate\(5 minutes\)/],
    ['rate(2 weeks)', /rate is/], ['every day', /must be "rate/], ['cron(0 2 * * *)', /6 fields/],
    ['cron(60 2 * * ? *)', /minutes 60 is outside 0-59/], ['cron(0 24 * * ? *)', /hours 24/], ['cron(0 2 * * * *)', /exactly one of/],
    ['cron(0 2 ? * ? *)', /exactly one of/], ['cron(0 2 32 * ? *)', /day-of-month 32/], ['cron(0 2 ? * FOO *)', /day-of-week "FOO"/],
    ['cron(0 2 ? 13 MON *)', /month 13/], ['cron(? 2 * * ? *)', /only allowed in day-of-month or day-of-week/],
    ['cron(0/0 2 * * ? *)', /step "0"/],
  ])('rejects %s', (e, why) => expect(scheduleProblem(e)).toMatch(why));

  test('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => {
      const p = scheduleProblem(s);
      expect(p === undefined || typeof p === 'string').toBe(true);
    }), { numRuns: 300 });
    fc.assert(fc.property(fc.array(fc.constantFrom('*', '?', '0', '5', '1-5', 'MON', 'L', '1/2', 'x', ''), { minLength: 0, maxLength: 8 }), (parts) => {
      const p = scheduleProblem(`cron(${parts.join(' ')})`);
      expect(p === undefined || typeof p === 'string').toBe(true);
    }), { numRuns: 300 });
  });
});
