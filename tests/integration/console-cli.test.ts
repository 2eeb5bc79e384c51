import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminHere } from '../support/cli.js';
import { ConsoleClient } from '../support/console-client.js';
import { startTestServer, type TestServer } from '../support/dev-server.js';

// The console's editors from the admin CLI, on a running dev server: added, listed, signed in, signed out
// everywhere and removed, each change in the audit log as the CLI's.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(() => server?.stop());

const admin = (...args: string[]) => runAdminHere(['--data-dir', server.dataDir, ...args]);

describe('npm run admin -- editor', () => {
  it('adds, lists, signs out and removes editors; each change is in the audit log', async () => {
    expect((await admin('editor', 'list')).stdout).toBe('no editors\n');
    const added = await admin('editor', 'add', '--email', 'First.Admin@Example.org', '--role', 'admin');
    expect(added).toMatchObject({ code: 0, stdout: expect.stringContaining('editor first.admin@example.org is admin') });
    expect((await admin('editor', 'add', '--email', 'helper@example.org', '--role', 'exporter', '--lang', 'uk')).code).toBe(0);
    const refused = await admin('editor', 'add', '--email', 'x@example.org', '--role', 'owner');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('viewer, fundraiser, exporter, admin');
    expect((await admin('editor', 'list')).stdout).toMatch(/^first\.admin@example\.org\tadmin\tsince \S+\nhelper@example\.org\texporter\tsince \S+\tuk\n$/);

    // The helper signs in (in Ukrainian, the language set for them); the CLI ends that session, then removes them.
    const helper = new ConsoleClient(server.url, (to) => server.mailTo(to));
    await helper.signInByLink('helper@example.org');
    expect((await server.mailTo('helper@example.org'))[0]?.subject).toBe('Вхід до консолі GlobalSecurity.org');
    expect((await helper.get('/admin')).body).toContain('helper@example.org');
    expect((await admin('editor', 'signout', '--email', 'helper@example.org')).code).toBe(0);
    expect((await helper.get('/admin')).body).toContain('name="email"');
    await helper.signInByLink('helper@example.org');
    expect((await admin('editor', 'remove', '--email', 'helper@example.org')).code).toBe(0);
    expect((await helper.get('/admin')).body).toContain('name="email"');
    const last = await admin('editor', 'remove', '--email', 'first.admin@example.org');
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('last admin');

    const token = await admin('token', 'create', '--name', 'audit check');
    const boss = new ConsoleClient(server.url, (to) => server.mailTo(to));
    await boss.signInByLink('first.admin@example.org');
    const entries = JSON.parse((await boss.request('GET', '/v1/admin/audit?limit=20', undefined, { accept: 'application/json' })).body) as { actor: string; action: string; target?: string }[];
    const cli = entries.filter((e) => e.actor.startsWith('cli:')).map((e) => `${e.action} ${e.target}`);
    expect(cli).toEqual([
      expect.stringMatching(/^token\.create [0-9a-f]{12} audit check$/),
      'editor.remove helper@example.org',
      'session.end-all helper@example.org',
      'editor.add helper@example.org exporter',
      'editor.add first.admin@example.org admin',
    ]);
    expect(token.stdout.trim().split('\n').at(-1)).toMatch(/^apl_/);
  }, 120_000);
});
