export const USAGE = `connbot — run a connection-troubleshooting runbook from the terminal

Usage:
  connbot check <service> <env> [runbook] [--json] [--catalog <path>]
      Run the same diagnosis the Slack bot runs and print the report.
      Exit code: 0 ok, 1 warn, 2 crit, 3 unknown or error, 64 unknown service/env or bad arguments.
  connbot catalog validate [path]
      Validate a service catalog (default: $CATALOG_PATH, else manifests/catalog.example.yaml).
      Exit code: 0 valid, 1 invalid.
  connbot help
      This text.

Options:
  --runbook <id>    one of the service's runbooks (default: its first); same as the [runbook] argument
  --json            the report as JSON (chart images replaced by a note)
  --catalog <path>  the catalog to read (default: $CATALOG_PATH, else manifests/catalog.example.yaml)
  --no-colour       plain text even on a terminal (NO_COLOR is honoured too)

Remediations are proposed in the report but only run after approval in Slack.
`;
