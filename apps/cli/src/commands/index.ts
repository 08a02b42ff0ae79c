import type { CommandEntry } from '../command.js';

// Each command's module loads only when it runs: `moat status` need not load the scan pipeline or smtp-server.
export const COMMANDS: CommandEntry[] = [
  { name: 'up', summary: 'run a local cluster: NATS, clamd, the CSM with its console, scan nodes and a demo mailbox', load: async () => (await import('./up.js')).upCommand },
  { name: 'down', summary: 'stop the cluster started by moat up (detached or in another terminal)', load: async () => (await import('./down.js')).downCommand },
  { name: 'status', summary: "the CSM's view of the cluster: nodes, policy versions, NATS and ClickHouse health", load: async () => (await import('./status.js')).statusCommand },
  { name: 'list', summary: 'add to, remove from or show the block/allow lists (each change is a new policy version)', load: async () => (await import('./list.js')).listCommand },
  { name: 'policy', summary: 'print, replace or list versions of the policy', load: async () => (await import('./policy.js')).policyCommand },
  { name: 'stats', summary: 'message counts by direction and verdict (from ClickHouse)', load: async () => (await import('./stats.js')).statsCommand },
  { name: 'mail', summary: 'search messages across all nodes, show one, release one from quarantine', load: async () => (await import('./mail.js')).mailCommand },
  { name: 'audit', summary: 'the audit log of administrator actions, and a check of its hash chain (verify)', load: async () => (await import('./audit.js')).auditCommand },
  { name: 'events', summary: 'print exported events (messages, findings, deliveries, audit, nodes) from a cursor, as JSON, CEF or LEEF', load: async () => (await import('./events.js')).eventsCommand },
  { name: 'accounts', summary: 'import accounts (valid recipients) from a CSV file, list them, set passwords, unblock a throttled or held one', load: async () => (await import('./accounts.js')).accountsCommand },
  { name: 'directory', summary: 'LDAP / Active Directory: settings, sync of accounts, aliases, groups and roles, dry run', load: async () => (await import('./directory.js')).directoryCommand },
  { name: 'dkim', summary: 'generate, show, list and rotate the DKIM keys that sign outbound mail, with the DNS records to publish', load: async () => (await import('./dkim.js')).dkimCommand },
  { name: 'login', summary: 'log in as a named administrator and print the session token for MOAT_TOKEN', load: async () => (await import('./login.js')).loginCommand },
  { name: 'admins', summary: 'add, list or remove administrators, change their roles, reset their passwords', load: async () => (await import('./admins.js')).adminsCommand },
  { name: 'certs', summary: 'per-domain TLS certificates the nodes serve by SNI: list with expiry, CSR, upload, import, remove', load: async () => (await import('./certs.js')).certsCommand },
  { name: 'holds', summary: 'mail held by delivery hold windows per domain across nodes, and its release', load: async () => (await import('./holds.js')).holdsCommand },
  { name: 'nodes', summary: "revoke a scan node's identity: its gRPC client certificate is refused from then on", load: async () => (await import('./nodes.js')).nodesCommand },
  { name: 'auth-blocks', summary: 'addresses blocked from SMTP AUTH on every node (brute force): list, add, remove', load: async () => (await import('./auth-blocks.js')).authBlocksCommand },
  { name: 'approvals', summary: 'outbound mail held for an approver (DLP and other rules): list, approve, reject with a reason', load: async () => (await import('./approvals.js')).approvalsCommand },
  { name: 'tenants', summary: 'tenants sharing the fleet, each with its own domains and policy: add, list, remove', load: async () => (await import('./tenants.js')).tenantsCommand },
  { name: 'train', summary: 'train the spam classifier on directories of spam and ham, and upload it as the model every node uses', load: async () => (await import('./train.js')).trainCommand },
  { name: 'eval', summary: 'replay a labelled mailbox (TREC index of spam/ham lines) through the filter, learning each label: ROC figures', load: async () => (await import('./eval.js')).evalCommand },
  { name: 'scan', summary: 'scan .eml files, mbox files and directories offline, without delivering', load: async () => (await import('./scan.js')).scanCommand },
];
