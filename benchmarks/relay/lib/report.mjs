// benchmarks/RESULTS.md: one throughput table (with ratios to smtp-sink and to Haraka) and one latency table.
const TARGET_NAMES = { sink: 'smtp-sink alone', haraka: 'Haraka (plain relay)', node: 'Moat scan node, relay path', 'node-full': 'Moat scan node, default policy' };
const NODES = ['node', 'node-full'];
const THROUGHPUT_TARGET_VS_HARAKA = 2;
const LATENCY_TARGET_MS = 10;

const ratio = (value, base) => (base ? `${(value / base).toFixed(2)}x` : '–');

export function renderResults({ rows, latency }, { command, machine, commit, date, seconds, messagesPerConnection, loadAverage }) {
  const find = (target, size, sessions) => rows.find((r) => r.target === target && r.size === size && r.sessions === sessions);
  const lines = [
    '# Relay benchmark results',
    '',
    `Measured ${date} UTC at commit ${commit} on ${machine}, all servers and the load generator on this one`,
    'machine (127.0.0.1).',
    `Load average (1, 5, 15 min): ${loadAverage}; anything else running on the machine shows in these figures,`,
    'so the servers are measured one after the other within each cell rather than one server after the other.',
    '',
    'Command (from the repository root; `npm run bench:relay` runs setup and the build first, then all targets):',
    '',
    '```',
    command,
    '```',
    '',
    `Load: Postfix \`smtp-source\` in rounds of N parallel sessions, ${messagesPerConnection} messages per connection, for`,
    `${seconds} s per cell after a warm-up round; for a relay the time ends when smtp-sink has received every message.`,
    'Haraka: `rcpt_to.in_host_list` + `queue/smtp_forward` to the same smtp-sink, one process, log level warn.',
    'Scan node: `apps/scan-node/dist/main.js` with a persisted policy relaying the domain to smtp-sink (lists with',
    'entries that never match), the fsynced spool and event publishing to a local nats-server (JetStream); no CSM.',
    '**Relay path** (what the issue-2 targets are about): lists, relay control, MIME parse, header and body checks',
    'and the attachment walk (on worker threads); antivirus and the fleet-wide bulk checksums off. **Default policy**:',
    'the same plus antivirus (clamd on the offline signature set, its own CPU not counted, and the SHA-256 list)',
    'and bulk checksums over NATS KV.',
    'Stage-1 checks (SPF, DKIM, reverse DNS, rate limits) skip loopback clients by default in both.',
    'CPU is user + system time of the server process (and its children, threads included) from /proc/<pid>/stat,',
    'per message; "system" is the kernel\'s share of it.',
    '',
    '| size | sessions | server | msgs/s | CPU ms/msg | system | vs smtp-sink | vs Haraka |',
    '|---:|---:|---|---:|---:|---:|---:|---:|',
  ];
  const cells = [...new Set(rows.map((r) => `${r.size}/${r.sessions}`))].map((key) => key.split('/').map(Number));
  for (const [size, sessions] of cells) {
    const sink = find('sink', size, sessions);
    const haraka = find('haraka', size, sessions);
    for (const row of rows.filter((r) => r.size === size && r.sessions === sessions)) {
      lines.push(
        `| ${size / 1000} KB | ${sessions} | ${TARGET_NAMES[row.target]} | ${row.msgsPerSecond.toFixed(0)} | ${row.cpuMsPerMessage.toFixed(2)} | ${row.systemCpuMsPerMessage.toFixed(2)} | ` +
          `${row.target === 'sink' ? '' : ratio(row.msgsPerSecond, sink?.msgsPerSecond)} | ${NODES.includes(row.target) ? ratio(row.msgsPerSecond, haraka?.msgsPerSecond) : ''} |`,
      );
    }
  }
  lines.push(
    '',
    'Latency per message on one open connection at 10 msgs/s (MAIL FROM to the 250 after DATA, 50 messages):',
    '',
    '| size | server | p50 ms | p99 ms |',
    '|---:|---|---:|---:|',
    ...latency.map((l) => `| ${l.size / 1000} KB | ${TARGET_NAMES[l.target]} | ${l.p50.toFixed(2)} | ${l.p99.toFixed(2)} |`),
  );
  for (const node of NODES) {
    const nodeRows = rows.filter((r) => r.target === node);
    if (!nodeRows.length) continue;
    const slow = nodeRows.filter((r) => !(r.msgsPerSecond >= THROUGHPUT_TARGET_VS_HARAKA * (find('haraka', r.size, r.sessions)?.msgsPerSecond ?? Infinity)));
    const laggy = latency.filter((l) => l.target === node && l.p50 >= LATENCY_TARGET_MS);
    lines.push(
      '',
      `Targets, ${TARGET_NAMES[node]}: ≥ ${THROUGHPUT_TARGET_VS_HARAKA}x Haraka in every cell: ${slow.length ? `**missed** in ${slow.map((r) => `${r.size / 1000} KB x${r.sessions}`).join(', ')}` : 'met'}; ` +
        `p50 < ${LATENCY_TARGET_MS} ms at 10 msgs/s: ${laggy.length ? `**missed** (${laggy.map((l) => `${l.size / 1000} KB`).join(', ')})` : 'met'}.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
