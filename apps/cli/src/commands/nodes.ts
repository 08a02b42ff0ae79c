import { parseCommandArgs, UsageError, writeJson, writeLine, type Command } from '../command.js';
import { nodeStatusSchema } from '../csm/api.js';
import { connectCsm } from '../csm/connect.js';

export const nodesCommand: Command = {
  name: 'nodes',
  usage: `moat nodes revoke ID [--json]     refuse node ID's client certificate from now on (audited)

Each node enrols once with the enrolment token and gets a client certificate from the CSM's node CA (CN = its
id); the CSM's gRPC port accepts only those. A revoked node's certificate and secret are refused, its open
streams end and it may not enrol again under its name. Node ids are in \`moat status --json\`. A node that held
the enrolment token could enrol under a new name: change MOAT_ENROL_TOKEN when revoking a compromised node.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {});
    const [sub, id, ...rest] = positionals;
    if (sub !== 'revoke') throw new UsageError(`expected revoke, got "${sub ?? ''}"`);
    if (!id || rest.length > 0) throw new UsageError('nodes revoke takes one node ID');
    const { data, raw } = await (await connectCsm(values, io)).post(`/api/nodes/${encodeURIComponent(id)}/revoke`, nodeStatusSchema, {});
    if (values.json) writeJson(io.out, raw);
    else writeLine(io.out, `${data.name} (${data.id}): revoked; its certificate is refused from now on`);
    return 0;
  },
};
