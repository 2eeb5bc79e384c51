import { userInfo } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DynamoAuditLog } from '../functions/adapters/dynamo-audit.js';
import { DynamoEditors } from '../functions/adapters/dynamo-console.js';
import { recordAudit } from '../functions/core/console/audit.js';
import { endEditorSessions, putEditor, removeEditor } from '../functions/core/console/editors.js';
import type { AuditAction } from '../functions/core/console/model.js';
import type { AuditLog } from '../functions/core/console/ports.js';
import { ROLES, type Role } from '../functions/core/console/model.js';
import { isLanguage, LANGUAGES, type Language } from '../functions/core/shared/i18n/index.js';
import { loadStageConfig } from '../infra/config.js';
import type { Target } from './target.js';

/** Who ran the CLI, as the audit log names it: `cli:` and the user of the machine. */
const cliActor = () => `cli:${userInfo().username}`;

/** The target's audit retention: its stage file's `auditRetentionDays`, else the stage default (400 days). */
const retentionDays = (stage: string | undefined) => {
  const file = stage && fileURLToPath(new URL(`../infra/stages/${stage}.json`, import.meta.url));
  return file && existsSync(file) ? loadStageConfig(file).auditRetentionDays : 400;
};

/**
 * The audit log of the target, where the CLI records what it changes (editors, tokens), as the console does. A
 * stage deployed before the audit log has no audit table: there the CLI says so and records nothing.
 */
export const cliAudit = (t: Target): AuditLog | undefined =>
  t.tables.audit ? new DynamoAuditLog(t.dynamo, t.tables.audit, retentionDays(t.stage?.name)) : undefined;

/** Records one of the CLI's own changes in the target's audit log (nothing where the target has none). */
export const auditCli = async (t: Target, action: AuditAction, target: string) => {
  const audit = cliAudit(t);
  if (!audit) {
    console.error(`note: ${t.description} has no audit table (deploy the stage again to add it); this change is not in its audit log`);
    return;
  }
  await recordAudit({ audit, clock: { now: () => new Date() }, keys: { clientIp: Buffer.alloc(32) } }, { actor: cliActor(), action, target });
};

const role = (value: string): Role => {
  if (!(ROLES as readonly string[]).includes(value)) throw new InvalidArgumentError(`a role is one of ${ROLES.join(', ')}`);
  return value as Role;
};
const language = (value: string): Language => {
  if (!isLanguage(value)) throw new InvalidArgumentError(`a language is one of ${LANGUAGES.join(', ')}`);
  return value;
};

/** A no-op audit log for the use cases when the target has none (the CLI has said so). */
const NO_AUDIT: AuditLog = { append: async () => undefined, recent: async () => [] };

/**
 * `admin editor add|remove|list|signout`: the console's editors (API.md, "Editors and roles"). The first admin of a
 * stage is added this way; afterwards admins can also manage editors on the console's Editors page.
 */
export const addEditorCommands = (program: Command, withTarget: (run: (t: Target) => Promise<void>) => Promise<void>) => {
  const editor = program.command('editor').description("the console's editors and their roles");
  const deps = (t: Target) => {
    const audit = cliAudit(t);
    if (!audit) console.error(`note: ${t.description} has no audit table (deploy the stage again to add it); this change is not in its audit log`);
    // The CLI has no client IP to hash: its entries carry none.
    return { editors: new DynamoEditors(t.dynamo, t.tables.subscribers), audit: audit ?? NO_AUDIT, clock: { now: () => new Date() }, keys: { clientIp: Buffer.alloc(32) } };
  };

  editor
    .command('add')
    .description('add an editor, or change an editor\'s role (they sign in at /admin with a link sent to this address)')
    .requiredOption('--email <email>', 'the editor\'s email address')
    .addOption(new Option('--role <role>', `${ROLES.join(' < ')}: each role has all the rights of the one before it`).argParser(role).makeOptionMandatory())
    .option('--lang <lang>', `the language of their sign-in email and console (${LANGUAGES.join(', ')}; default: their browser's)`, language)
    .action(async (o: { email: string; role: Role; lang?: Language }) =>
      withTarget(async (t) => {
        const saved = await putEditor(deps(t), { actor: cliActor() }, { email: o.email, role: o.role, lang: o.lang });
        console.log(`editor ${saved.email} is ${saved.role} on ${t.description}`);
      }),
    );

  editor
    .command('remove')
    .description('remove an editor: their sessions end at once')
    .requiredOption('--email <email>', 'the editor\'s email address')
    .action(async (o: { email: string }) =>
      withTarget(async (t) => {
        await removeEditor(deps(t), { actor: cliActor() }, o.email);
        console.log(`removed editor ${o.email.trim().toLowerCase()} from ${t.description}`);
      }),
    );

  editor
    .command('signout')
    .description('end every session of an editor ("sign out everywhere")')
    .requiredOption('--email <email>', 'the editor\'s email address')
    .action(async (o: { email: string }) =>
      withTarget(async (t) => {
        await endEditorSessions(deps(t), { actor: cliActor() }, o.email);
        console.log(`ended every session of ${o.email.trim().toLowerCase()} on ${t.description}`);
      }),
    );

  editor
    .command('list')
    .description('list the editors and their roles')
    .action(async () =>
      withTarget(async (t) => {
        const all = await new DynamoEditors(t.dynamo, t.tables.subscribers).list();
        if (all.length === 0) console.log('no editors');
        for (const e of all) console.log(`${e.email}\t${e.role}\tsince ${e.createdAt}${e.lang ? `\t${e.lang}` : ''}`);
      }),
    );
};
