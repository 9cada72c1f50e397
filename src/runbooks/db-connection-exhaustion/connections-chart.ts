/**
 * The CloudWatch metric-widget definition (the console's "Source" JSON) of the runbook's first dashboard metric:
 * DatabaseConnections of the writer (Role=WRITER), which max_connections limits, with max_connections and the
 * warning line drawn across it, and the total over every instance (the cluster dimension's Sum at 1 minute).
 */
export function connectionsWidget(opts: {
  region: string;
  cluster: string;
  lookbackMinutes: number;
  maxConnections: number | undefined;
  warnPct: number;
}): object {
  const metric = ['AWS/RDS', 'DatabaseConnections', 'DBClusterIdentifier', opts.cluster];
  const horizontal =
    opts.maxConnections === undefined
      ? []
      : [
          { label: `max_connections ${opts.maxConnections} (per instance)`, value: opts.maxConnections, color: '#d62728' },
          {
            label: `warning ${opts.warnPct}%`,
            value: Math.round((opts.maxConnections * opts.warnPct) / 100),
            color: '#ff7f0e',
          },
        ];
  return {
    title: `DatabaseConnections — ${opts.cluster}`,
    region: opts.region,
    view: 'timeSeries',
    start: `-PT${opts.lookbackMinutes}M`,
    end: 'P0D',
    period: 60,
    width: 800,
    height: 400,
    metrics: [
      [...metric, 'Role', 'WRITER', { stat: 'Maximum', label: 'writer, Maximum (1 min)' }],
      [...metric, { stat: 'Sum', label: 'all instances, Sum (1 min)' }],
    ],
    annotations: { horizontal },
    yAxis: { left: { min: 0, ...(opts.maxConnections ? { max: Math.ceil(opts.maxConnections * 1.05) } : {}) } },
  };
}
