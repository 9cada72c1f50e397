/**
 * The TickStormConnectionDropRate rule as it should be written: the seed runbook divides vectors with different
 * label sets (no result); here both sides are summed by the same labels. 10 s windows keep tests fast.
 */
export const TICKSTORM_RULES = `
groups:
  - name: tickstorm
    rules:
      - alert: TickStormConnectionDropRate
        expr: >-
          sum by (service, env) (rate(tick_storm_connection_errors_total{error_type="connection_dropped"}[10s]))
          / sum by (service, env) (rate(tick_storm_total_connections_total[10s])) * 100 > 0.5
        labels: { severity: high }
        annotations:
          summary: Connection drop rate above 0.5%
          runbook_url: https://runbooks.example/connection-drop
`;
