import { parseCommandArgs, writeJson, writeLine, type Command } from '../command.js';
import { statusSchema, type Status } from '../csm/api.js';
import { connectCsm } from '../csm/connect.js';
import { renderTable } from '../format/table.js';
import { formatAgo } from '../format/time.js';

export const statusCommand: Command = {
  name: 'status',
  usage: `moat status [--json] [--csm URL] [--var DIR]

Shows each node (id, name, SMTP address, up, last heartbeat, policy version, DNS resolver), the current
policy version and the health of NATS and ClickHouse, as the CSM sees them (GET /api/status). DNS is the
policy's dns.servers, or "system" and the machine's servers (/etc/resolv.conf) when the policy names none;
a node whose sender authentication runs on the system resolver gets a warning line.
  --json   print the CSM's answer as JSON`,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {});
    const { data, raw } = await (await connectCsm(values, io)).get('/api/status', statusSchema);
    if (values.json) writeJson(io.out, raw);
    else writeLine(io.out, renderStatus(data));
    return 0;
  },
};

export function renderStatus(status: Status, now = Date.now()): string {
  const health = (h: { ok: boolean; detail?: string | undefined }) => (h.ok ? 'ok' : `DOWN${h.detail ? ` (${h.detail})` : ''}`);
  const nodes = status.nodes.map((n) => [
    n.name,
    n.id,
    n.smtpAddress,
    n.revokedAtMs ? 'revoked' : n.up ? 'yes' : 'no',
    formatAgo(n.lastHeartbeatMs, now),
    n.policyVersion === status.policyVersion ? String(n.policyVersion) : `${n.policyVersion} (behind)`,
    resolverText(n.resolver),
  ]);
  const warnings = status.nodes.filter((n) => n.resolver?.warning).map((n) => `warning: ${n.name}: ${n.resolver!.warning}`);
  return [
    `policy version ${status.policyVersion}   NATS ${health(status.nats)}   ClickHouse ${health(status.clickhouse)}`,
    '',
    nodes.length ? renderTable(['NODE', 'ID', 'SMTP', 'UP', 'HEARTBEAT', 'POLICY', 'DNS'], nodes) : 'no nodes have enrolled yet',
    ...(warnings.length ? ['', ...warnings] : []),
  ].join('\n');
}

/** `10.0.0.53, 10.0.0.54` for configured servers, `system 127.0.0.53` for the machine's, `-` before a heartbeat said. */
function resolverText(resolver: Status['nodes'][number]['resolver']): string {
  if (!resolver) return '-';
  const servers = resolver.servers.join(', ') || 'none';
  return resolver.source === 'configured' ? servers : `${resolver.source} ${servers}`;
}
