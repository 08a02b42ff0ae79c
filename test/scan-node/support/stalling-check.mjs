// Preloaded into a scan node for test/scan-node/stall.test.ts only (NODE_OPTIONS=--import, which also runs in
// every worker thread): the payment_wording check loops forever on a message whose subject holds STALL-ME, as a
// runaway pattern would. The node's own code is unchanged; the check object is the one its pipeline runs.
import { defaultChecks } from '@moat/pipeline';

const check = defaultChecks().find((c) => c.name === 'payment_wording');
if (!check) throw new Error('no payment_wording check to stall');
const run = check.run.bind(check);
check.run = (ctx) => {
  if (ctx.message.headers.subject.includes('STALL-ME')) for (;;);
  return run(ctx);
};
