import { parentPort } from 'node:worker_threads';
import { readMessage } from '@moat/pipeline';
import type { InspectionReply, InspectionRequest } from './inspection-pool.js';

// One worker thread of the InspectionPool: reads the messages it is sent, one at a time.
const port = parentPort;
if (!port) throw new Error('inspection-worker.js runs as a worker thread of the scan node');

port.on('message', (request: InspectionRequest) => {
  const raw = Buffer.from(request.raw.buffer, request.raw.byteOffset, request.raw.byteLength);
  // In a worker, memoryUsage's heap and external figures are this thread's own.
  const retainedBytes = () => {
    const memory = process.memoryUsage();
    return memory.heapUsed + memory.external;
  };
  readMessage(raw, request.options).then(
    (reading) => port.postMessage({ id: request.id, reading, retainedBytes: retainedBytes() } satisfies InspectionReply),
    (err: unknown) => port.postMessage({ id: request.id, error: err instanceof Error ? err.message : String(err), retainedBytes: retainedBytes() } satisfies InspectionReply),
  );
});
