import { parentPort } from 'node:worker_threads';
import type { SpamModel } from '@moat/classifier';
import { compilePolicy, readMessage, runContentChecks, type CompiledPolicy } from '@moat/pipeline';
import type { InspectionAnswer, InspectionReply, InspectionRequest } from './inspection-pool.js';

// One worker thread of the InspectionPool: reads the messages it is sent, one at a time, and runs the content
// checks asked for on each. The policy and the model it was last sent are kept under their keys.
const port = parentPort;
if (!port) throw new Error('inspection-worker.js runs as a worker thread of the scan node');

let policy: { key: number; compiled: CompiledPolicy } | undefined;
let model: { key: number; model: SpamModel } | undefined;

port.on('message', (request: InspectionRequest) => {
  const raw = Buffer.from(request.raw.buffer, request.raw.byteOffset, request.raw.byteLength);
  // In a worker, memoryUsage's heap and external figures are this thread's own.
  const retainedBytes = () => {
    const memory = process.memoryUsage();
    return memory.heapUsed + memory.external;
  };
  const reply = (message: InspectionAnswer): void => port.postMessage({ ...message, retainedBytes: retainedBytes() } satisfies InspectionReply);
  const checks = request.checks;
  if (checks?.policy.policy) policy = { key: checks.policy.key, compiled: compilePolicy(checks.policy.policy, checks.policy.version) };
  if (checks?.model?.model) model = { key: checks.model.key, model: checks.model.model };
  readMessage(raw, request.options).then(
    (reading) => {
      reply({ id: request.id, reading });
      if (!checks || !reading.message) return;
      const compiled = policy?.key === checks.policy.key ? policy.compiled : undefined;
      const spamModel = checks.model && model?.key === checks.model.key ? model.model : undefined;
      if (!compiled) {
        for (const name of checks.names) reply({ id: request.id, check: { check: name, error: 'the worker does not hold the policy it was asked to use' } });
        return;
      }
      const job = { checks: checks.names, envelope: checks.envelope, policy: compiled, model: spamModel };
      runContentChecks(job, { ...reading.message, raw }, reading.report, (check) => reply({ id: request.id, check }));
    },
    (err: unknown) => reply({ id: request.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
