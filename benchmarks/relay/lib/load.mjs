// Throughput: Postfix's smtp-source sends rounds of `sessions` parallel connections, 10 messages each, until
// the measuring time is up. For a relay the clock stops only when the sink has received every message, so
// mail a server accepted but still holds in its queue is not counted as done.
import { execFile } from 'node:child_process';
import { BENCH_DOMAIN } from './targets.mjs';
import { clockTicksPerSecond, cpuTicks } from './processes.mjs';

export const MESSAGES_PER_CONNECTION = 10;

function smtpSource({ port, sessions, size }) {
  const args = ['-d', '-s', String(sessions), '-m', String(sessions * MESSAGES_PER_CONNECTION), '-l', String(size)];
  args.push('-M', 'client.test', '-f', 'sender@client.test', '-t', `rcpt@${BENCH_DOMAIN}`, '-S', 'relay benchmark');
  args.push(`127.0.0.1:${port}`);
  return new Promise((resolve, reject) => {
    execFile('/usr/sbin/smtp-source', args, (error, _stdout, stderr) =>
      error ? reject(new Error(`smtp-source ${args.join(' ')}: ${stderr || error.message}`)) : resolve(),
    );
  });
}

async function waitForDelivered(sink, expected, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (sink.delivered() < expected) {
    if (Date.now() > deadline) throw new Error(`the sink received ${sink.delivered()} of ${expected} messages`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** One cell of the table: msgs/s and the server's CPU ms per message (all, and the kernel's share). */
export async function measureThroughput({ port, serverPid, sink, sessions, size, seconds }) {
  let expected = sink.delivered() + sessions * MESSAGES_PER_CONNECTION;
  await smtpSource({ port, sessions, size }); // warm-up: JIT, connection pools, spool files
  await waitForDelivered(sink, expected);
  const startTicks = cpuTicks(serverPid);
  const start = performance.now();
  let sent = 0;
  while (performance.now() - start < seconds * 1000) {
    await smtpSource({ port, sessions, size });
    sent += sessions * MESSAGES_PER_CONNECTION;
  }
  expected += sent;
  await waitForDelivered(sink, expected);
  const elapsedMs = performance.now() - start;
  const endTicks = cpuTicks(serverPid);
  const msPerMessage = (ticks) => (ticks * 1000) / clockTicksPerSecond / sent;
  return {
    messages: sent,
    msgsPerSecond: sent / (elapsedMs / 1000),
    cpuMsPerMessage: msPerMessage(endTicks.user + endTicks.system - startTicks.user - startTicks.system),
    systemCpuMsPerMessage: msPerMessage(endTicks.system - startTicks.system),
  };
}
