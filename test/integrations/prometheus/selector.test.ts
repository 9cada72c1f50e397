import { describe, expect, it } from 'vitest';
import { quoteLabelValue, selectorMatchers, withSelector } from '../../../src/integrations/prometheus/selector.js';

describe('withSelector', () => {
  it('merges the catalog selector and extra matchers into the metric selector', () => {
    expect(withSelector('tick_storm_connection_errors_total', '{service="tickstorm"}', { error_type: 'connection_dropped' })).toBe(
      'tick_storm_connection_errors_total{service="tickstorm",error_type="connection_dropped"}',
    );
  });

  it('keeps the catalog selector as written, with several matchers and regex operators', () => {
    expect(withSelector('up', ' { environment="production", job=~"ws.*" } ')).toBe('up{environment="production", job=~"ws.*"}');
  });

  it('leaves the bare metric when there is no selector, or an empty one', () => {
    expect(withSelector('process_open_fds', undefined)).toBe('process_open_fds');
    expect(withSelector('process_open_fds', '{}')).toBe('process_open_fds');
    expect(withSelector('process_open_fds', '{}', { instance: 'a:1' })).toBe('process_open_fds{instance="a:1"}');
  });

  it('quotes extra values so they cannot close the matcher', () => {
    expect(quoteLabelValue('a"} or vector(1) #')).toBe('"a\\"} or vector(1) #"');
    expect(quoteLabelValue('back\\slash\nline')).toBe('"back\\\\slash\\nline"');
  });

  it('tolerates a trailing comma in the catalog selector', () => {
    expect(selectorMatchers('{service="x",}')).toBe('service="x"');
  });
});
