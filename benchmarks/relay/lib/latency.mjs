// Latency per message on one open connection at a steady 10 msgs/s: the time from MAIL FROM to the 250 that
// ends DATA, measured by a minimal SMTP client (Nagle off, each command and the message written whole).
import { createConnection } from 'node:net';
import { BENCH_DOMAIN } from './targets.mjs';

export function buildMessage(size) {
  const line = `${'x'.repeat(76)}\r\n`;
  const header = `From: <sender@client.test>\r\nTo: <rcpt@${BENCH_DOMAIN}>\r\nSubject: relay latency\r\nMessage-ID: <%ID%@client.test>\r\n\r\n`;
  return header + line.repeat(Math.ceil(size / line.length));
}

/** Reads SMTP replies (multi-line aware) from a socket, one promise per expected reply. */
export function replyReader(socket) {
  let buffer = '';
  const waiting = [];
  const replies = [];
  let closed;
  socket.setEncoding('utf8');
  // A connection that ends while replies are awaited fails them rather than leaving the run waiting forever.
  socket.on('close', () => {
    closed = new Error(`connection closed (${buffer.trim() || 'no reply'})`);
    for (const [, reject] of waiting.splice(0)) reject(closed);
  });
  socket.on('data', (chunk) => {
    buffer += chunk;
    let match;
    // A reply ends with a line "NNN text" (space after the code), after any "NNN-text" lines.
    while ((match = /^(?:\d{3}-[^\n]*\n)*(\d{3})(?: [^\n]*)?\r?\n/.exec(buffer))) {
      buffer = buffer.slice(match[0].length);
      const reply = { code: Number(match[1]), text: match[0].trim() };
      const next = waiting.shift();
      if (next) next[0](reply);
      else replies.push(reply);
    }
  });
  return () => {
    if (replies.length) return Promise.resolve(replies.shift());
    if (closed) return Promise.reject(closed);
    return new Promise((resolve, reject) => waiting.push([resolve, reject]));
  };
}

async function expect(readReply, code, what) {
  const reply = await readReply();
  if (reply.code !== code) throw new Error(`${what}: expected ${code}, got ${reply.text}`);
}

export async function measureLatency({ port, size, count = 50, ratePerSecond = 10 }) {
  const socket = createConnection({ host: '127.0.0.1', port, noDelay: true });
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const readReply = replyReader(socket);
  await expect(readReply, 220, 'greeting');
  socket.write('EHLO client.test\r\n');
  await expect(readReply, 250, 'EHLO');
  const body = buildMessage(size);
  const latencies = [];
  const interval = 1000 / ratePerSecond;
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const begin = performance.now();
    socket.write(`MAIL FROM:<sender@client.test>\r\n`);
    await expect(readReply, 250, 'MAIL');
    socket.write(`RCPT TO:<rcpt@${BENCH_DOMAIN}>\r\n`);
    await expect(readReply, 250, 'RCPT');
    socket.write('DATA\r\n');
    await expect(readReply, 354, 'DATA');
    socket.write(`${body.replace('%ID%', `${Date.now()}.${i}`)}.\r\n`);
    await expect(readReply, 250, 'end of DATA');
    latencies.push(performance.now() - begin);
  }
  socket.end('QUIT\r\n');
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { p50: at(0.5), p99: at(0.99), count };
}
