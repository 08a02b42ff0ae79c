import type { z } from 'zod';
import { parseCommandArgs, UsageError, writeJson, writeLine, type Command } from '../command.js';
import { dkimDomainSchema, dkimListSchema } from '../csm/api.js';
import { connectCsm } from '../csm/connect.js';
import { renderTable } from '../format/table.js';
import { formatTimestamp } from '../format/time.js';

export const dkimCommand: Command = {
  name: 'dkim',
  usage: `moat dkim generate DOMAIN [--selector S] [--algorithm rsa|ed25519] [--inactive] [--json]
                                   generate a DKIM key for DOMAIN; it signs DOMAIN's outbound mail
moat dkim show DOMAIN [--json]     DOMAIN's keys and the DNS TXT records to publish
moat dkim list [--json]            every domain's keys
moat dkim activate DOMAIN SELECTOR [--json]
                                   rotation: SELECTOR's key signs from now on

The CSM generates the key (RSA 2048 by default, or Ed25519), keeps the private key encrypted and sends
the active key of each domain to the scan nodes, which sign every outbound message from that domain
(relaxed/relaxed). Publish the TXT record before activating a new key; keep the old record published
until mail signed with the old key has been delivered.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { selector: { type: 'string' }, algorithm: { type: 'string' }, inactive: { type: 'boolean' } });
    const [sub, domain, selector, ...extra] = positionals;
    if (extra.length > 0 || (selector !== undefined && sub !== 'activate')) throw new UsageError(`unexpected arguments: ${[selector, ...extra].filter(Boolean).join(' ')}`);
    if (sub === 'list') {
      const { data, raw } = await (await connectCsm(values, io)).get('/api/dkim', dkimListSchema);
      if (values.json) writeJson(io.out, raw);
      else writeLine(io.out, renderTable(['DOMAIN', 'SELECTOR', 'ALGORITHM', 'ACTIVE', 'CREATED'], data.flatMap((d) => d.keys.map((k) => [d.domain, k.selector, k.algorithm, k.active ? 'yes' : 'no', formatTimestamp(k.createdAtMs)]))));
      return 0;
    }
    if (sub !== 'generate' && sub !== 'show' && sub !== 'activate') throw new UsageError(`expected generate, show, list or activate, got "${sub ?? ''}"`);
    if (!domain) throw new UsageError(`dkim ${sub} needs a DOMAIN`);
    const csm = await connectCsm(values, io);
    const path = `/api/dkim/${encodeURIComponent(domain)}`;
    let answer: { data: z.infer<typeof dkimDomainSchema>; raw: unknown };
    if (sub === 'show') answer = await csm.get(path, dkimDomainSchema);
    else if (sub === 'activate') {
      if (!selector) throw new UsageError('dkim activate needs a SELECTOR');
      answer = await csm.post(`${path}/active`, dkimDomainSchema, { selector });
    } else {
      const body = { ...(values.selector ? { selector: values.selector } : {}), ...(values.algorithm ? { algorithm: values.algorithm } : {}), ...(values.inactive ? { active: false } : {}) };
      answer = await csm.post(`${path}/keys`, dkimDomainSchema, body);
    }
    if (values.json) writeJson(io.out, answer.raw);
    else {
      for (const key of answer.data.keys) {
        writeLine(io.out, `${key.selector} ${key.algorithm}${key.active ? ' (active)' : ''}, created ${formatTimestamp(key.createdAtMs)}`);
        writeLine(io.out, `${key.dnsName}. IN TXT ( ${key.dnsStrings.map((s) => `"${s}"`).join(' ')} )`);
      }
    }
    return 0;
  },
};
