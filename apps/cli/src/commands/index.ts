import type { Command } from '../command.js';
import { downCommand } from './down.js';
import { listCommand } from './list.js';
import { mailCommand } from './mail.js';
import { policyCommand } from './policy.js';
import { statsCommand } from './stats.js';
import { statusCommand } from './status.js';
import { upCommand } from './up.js';

/** Every subcommand, in the order `moat help` lists them. */
export const COMMANDS: Command[] = [upCommand, downCommand, statusCommand, listCommand, policyCommand, statsCommand, mailCommand];
