import { parentPort } from 'node:worker_threads';
import { readMessage } from '@moat/pipeline';
import type { InspectionReply, InspectionRequest } from './inspection-pool.js';

// One worker thread of the InspectionPool: reads the messages it is sent, one at a time.
const port = parentPort;
if (!port) throw new Error('inspection-worker.js runs as a worker thread of the scan node');

port.on('message', (request: InspectionRequest) => {
  const raw = Buffer.from(request.raw.buffer, request.raw.byteOffset, request.raw.byteLength);
  const reply = (message: InspectionReply): void => port.postMessage(message);
  readMessage(raw, request.options).then(
    (reading) => reply({ id: request.id, reading }),
    (err: unknown) => reply({ id: request.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
