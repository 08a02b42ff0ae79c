import { z } from 'zod';
import { parseCommandArgs, UsageError, writeJson, writeLine, type Command } from '../command.js';
import { tenantListSchema, tenantSchema } from '../csm/api.js';
import { connectCsm } from '../csm/connect.js';
import { renderTable } from '../format/table.js';

export const tenantsCommand: Command = {
  name: 'tenants',
  usage: `moat tenants add ID [--name N] [--domain D ...] [--downstream HOST[:PORT]] [--json]   add a tenant
moat tenants list [--json]                                                           the tenants
moat tenants remove ID [--force]                                                     remove one

A tenant (super admins only) has its own domains, policy and versions, lists, accounts, administrators,
quarantine, statistics and audit. add stores its first policy with the --domain domains (unique across
tenants), each delivered to --downstream (port 25 when absent); edit it afterwards as one of the
tenant's administrators (moat login, MOAT_TOKEN) or through the API with ?tenant=ID. remove refuses while the tenant has domains or administrators; --force
removes them with it (its administrators' sessions end). Tenant default always exists.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { name: { type: 'string' }, domain: { type: 'string', multiple: true }, downstream: { type: 'string' }, force: { type: 'boolean' } });
    const [sub, id, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);

    if (sub === 'list') {
      if (id !== undefined) throw new UsageError('tenants list takes no ID');
      const { data, raw } = await (await connectCsm(values, io)).get('/api/tenants', tenantListSchema);
      if (values.json) writeJson(io.out, raw);
      else writeLine(io.out, renderTable(['ID', 'NAME', 'DOMAINS', 'POLICY', 'ADMINS'], data.tenants.map((t) => [t.id, t.name, t.domains.join(', ') || '-', `v${t.policyVersion}`, String(t.admins)])));
      return 0;
    }
    if (!id) throw new UsageError(`tenants ${sub ?? '...'} needs an ID`);

    if (sub === 'add') {
      const body = { id, ...(values.name === undefined ? {} : { name: values.name }), ...(values.domain ? { domains: values.domain } : {}), ...(values.downstream === undefined ? {} : { downstream: values.downstream }) };
      const { data, raw } = await (await connectCsm(values, io)).post('/api/tenants', tenantSchema, body);
      if (values.json) writeJson(io.out, raw);
      else writeLine(io.out, `tenant ${data.id} added: domains ${data.domains.join(', ') || 'none'}, policy v${data.policyVersion}`);
      return 0;
    }

    if (sub === 'remove') {
      await (await connectCsm(values, io)).delete(`/api/tenants/${encodeURIComponent(id)}${values.force ? '?force=true' : ''}`, z.unknown());
      if (values.json) writeJson(io.out, { removed: id });
      else writeLine(io.out, `tenant ${id} removed`);
      return 0;
    }

    throw new UsageError(`expected add, list or remove, got "${sub ?? ''}"`);
  },
};
