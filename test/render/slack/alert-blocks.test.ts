import { describe, expect, it } from 'vitest';
import { alertRootMessage, stormSummaryMessage } from '../../../src/render/slack/alert-blocks.js';
import { blockKitViolations } from './block-kit-limits.js';

const base = {
  source: 'prometheus' as const,
  state: 'firing' as const,
  labels: { alertname: 'x' },
  firstSeen: new Date('2026-11-23T03:50:00Z'),
  lastSeen: new Date('2026-11-23T03:55:00Z'),
  count: 1,
};

describe('alertRootMessage', () => {
  it('escapes and redacts the alert name in the notification text as in the blocks', () => {
    const m = alertRootMessage({ ...base, name: '<!channel> DB_PASSWORD=hunter2 <https://evil|click>', links: [] });
    for (const text of [m.text, JSON.stringify(m.blocks)]) {
      expect(text).not.toContain('<!channel>');
      expect(text).not.toContain('hunter2');
      expect(text).not.toContain('<https://evil');
    }
    expect(m.text).toContain('&lt;!channel&gt;');
  });

  it('redacts a token in a link and drops links that are not http(s)', () => {
    const m = alertRootMessage({
      ...base,
      name: 'A',
      links: [
        { label: 'dashboard', url: 'https://grafana.example/d/abc?orgId=1&auth_token=s3cr3t' },
        { label: 'evil', url: 'javascript:alert(1)' },
      ],
    });
    const blocks = JSON.stringify(m.blocks);
    expect(blocks).not.toContain('s3cr3t');
    expect(blocks).toContain('https://grafana.example/d/abc?orgId=1&amp;auth_token=[redacted]');
    expect(blocks).not.toContain('javascript:');
  });

  it('tells insufficient data from firing and shows how long it fired once resolved', () => {
    expect(alertRootMessage({ ...base, name: 'A', links: [], insufficientData: true }).text).toMatch(/^INSUFFICIENT DATA: A/);
    const resolved = alertRootMessage({ ...base, name: 'A', links: [], state: 'resolved', firedMs: 12 * 60_000 });
    expect(JSON.stringify(resolved.blocks)).toMatch(/RESOLVED\* after 12m/);
  });
});

describe('stormSummaryMessage', () => {
  it('counts alerts by state and their notifications, within Block Kit limits', () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({ name: `Alert${i % 30}`, firing: 2, resolved: 1, notifications: 5 }));
    const m = stormSummaryMessage({ channelNote: 'Too many.', since: new Date('2026-11-23T03:50:00Z'), threaded: 10, rows });
    expect(m.text).toMatch(/900 alerts \(600 firing\)/);
    expect(JSON.stringify(m.blocks)).toMatch(/1500 notifications/);
    expect(blockKitViolations(m)).toEqual([]);
  });
});
