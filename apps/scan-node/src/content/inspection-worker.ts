import { parentPort } from 'node:worker_threads';
import { inspectMessage } from '@moat/content';
import type { InspectionReply, InspectionRequest } from './inspection-pool.js';

// One worker thread of the InspectionPool: inspects the messages it is sent, one at a time.
const port = parentPort;
if (!port) throw new Error('inspection-worker.js runs as a worker thread of the scan node');

port.on('message', (request: InspectionRequest) => {
  const raw = Buffer.from(request.raw.buffer, request.raw.byteOffset, request.raw.byteLength);
  const reply = (message: InspectionReply): void => port.postMessage(message);
  inspectMessage(raw, request.options).then(
    (report) => reply({ id: request.id, report }),
    (err: unknown) => reply({ id: request.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
