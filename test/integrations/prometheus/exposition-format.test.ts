import { describe, expect, it } from 'vitest';
import { familyType, parseExposition, parseSampleLine } from '../../../src/integrations/prometheus/exposition-format.js';
import { connectionErrorCounters, currentConnections, ratesBetween } from '../../../src/runbooks/connection-errors/service-metrics.js';

describe('Prometheus text exposition format', () => {
  it('reads samples with labels, escapes, special values, timestamps and exemplars', () => {
    expect(parseSampleLine('vectorizer_connections_active 42')).toEqual({ name: 'vectorizer_connections_active', labels: {}, value: 42 });
    expect(parseSampleLine('m{path="/a\\"b\\\\c\\nd",code="200",} 1.5e+03 1700000000000')).toEqual({
      name: 'm',
      labels: { path: '/a"b\\c\nd', code: '200' },
      value: 1500,
    });
    expect(parseSampleLine('m{le="+Inf"} +Inf')!.value).toBe(Infinity);
    expect(parseSampleLine('m -Inf')!.value).toBe(-Infinity);
    expect(Number.isNaN(parseSampleLine('m NaN')!.value)).toBe(true);
    expect(parseSampleLine('m{a = "x" , b="y, z}"} 3')).toEqual({ name: 'm', labels: { a: 'x', b: 'y, z}' }, value: 3 });
    expect(parseSampleLine('foo_total{a="b"} 17 # {trace_id="abc"} 1.0 1700000000.5')!.value).toBe(17);
  });

  it('refuses what is not a sample instead of guessing', () => {
    for (const bad of ['m{a="x"', 'm{a=x} 1', 'm abc', 'm 1 2 3', '{a="b"} 1', 'm{1a="x"} 1']) expect(parseSampleLine(bad), bad).toBeUndefined();
    const expo = parseExposition('# HELP m help\n# TYPE m gauge\nm 1\n\ngarbage here\nm{x="1"} 2\n');
    expect(expo.samples.map((s) => s.value)).toEqual([1, 2]);
    expect(expo.unreadable).toEqual(['garbage here']);
  });

  it('knows the family type of counters named with or without the _total suffix in TYPE', () => {
    const expo = parseExposition(
      ['# TYPE a_total counter', 'a_total 1', '# TYPE b counter', 'b_total 2', 'b_created 1.7e9', '# TYPE h histogram', 'h_bucket{le="1"} 3', '# EOF'].join('\n'),
    );
    expect(familyType(expo, 'a_total')).toBe('counter');
    expect(familyType(expo, 'b_total')).toBe('counter');
    expect(familyType(expo, 'b_created')).toBe('counter');
    expect(familyType(expo, 'h_bucket')).toBe('histogram');
    expect(familyType(expo, 'nope')).toBeUndefined();
  });

  it('finds the open-connections gauge and the error counters the runbook greps for', () => {
    const expo = parseExposition(
      [
        '# TYPE vectorizer_connections_total counter',
        'vectorizer_connections_total 9182734',
        '# TYPE vectorizer_connections_active gauge',
        'vectorizer_connections_active{protocol="http"} 4100',
        'vectorizer_connections_active{protocol="grpc"} 900',
        '# TYPE vectorizer_connection_errors counter',
        'vectorizer_connection_errors_total{type="timeout"} 30',
        'vectorizer_connection_errors_total{type="too_many_connections"} 12',
        'vectorizer_connection_errors_created{type="timeout"} 1.7e9',
      ].join('\n'),
    );
    expect(currentConnections(expo)).toMatchObject({ metric: 'vectorizer_connections_active', total: 5000 });
    expect(connectionErrorCounters(expo)).toEqual({
      metric: 'vectorizer_connection_errors_total',
      typeLabel: 'type',
      byType: { timeout: 30, too_many_connections: 12 },
    });
    // Only totals: no gauge of open connections to judge.
    expect(currentConnections(parseExposition('# TYPE vectorizer_connections_total counter\nvectorizer_connections_total 5'))).toBeUndefined();
  });

  it('turns two readings into rates; a counter that went down means another process answered, so no rate', () => {
    expect(ratesBetween({ timeout: 100, refused: 50 }, { timeout: 110, refused: 54, reset: 2 }, 2)).toEqual({ rates: { timeout: 5, refused: 2, reset: 1 } });
    const behindService = ratesBetween({ timeout: 100, refused: 50 }, { timeout: 110, refused: 4 }, 2);
    expect(behindService.rates).toEqual({});
    expect(behindService.unknown).toMatch(/counters went down between the scrapes \(refused 50 → 4\): a different pod answered, or it restarted/);
  });
});
