// CI guard over vitest's JSON report: the browser tests must have run (none skipped, none missing), and the
// run ends with a plain summary line.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const results = report.testResults.flatMap((file) =>
  file.assertionResults.map((test) => ({ file: file.name, status: test.status })),
);
const count = (status) => results.filter((r) => r.status === status).length;
const browser = results.filter((r) => r.file.includes('/tests/e2e/'));
const problems = [];
if (browser.length === 0) problems.push('no browser (e2e) test ran');
if (browser.some((r) => r.status !== 'passed')) problems.push('a browser (e2e) test did not pass');
const skipped = count('skipped') + count('pending') + count('todo');
if (skipped > 0) problems.push(`${skipped} tests were skipped`);
for (const problem of problems) console.error(`CI: ${problem}`);
console.log(`Tests: ${count('passed')} passed, ${count('failed')} failed, ${skipped} skipped`);
process.exit(problems.length || count('failed') ? 1 : 0);
