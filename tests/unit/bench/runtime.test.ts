import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The bundles bench judges the budget on the Node major Lambda runs the functions on, and says so when a run uses
// another: its constant must follow the stack's runtime when that moves (read as text: importing the stack's
// construct would load the CDK into a unit test).
describe('the bundles bench', () => {
  it("judges the budget on the stack's Lambda runtime major", () => {
    const stack = readFileSync('infra/constructs/app-function.ts', 'utf8');
    const bench = readFileSync('bench/bundles.ts', 'utf8');
    const runtime = [...stack.matchAll(/Runtime\.NODEJS_(\d+)_X/g)].map((m) => m[1]);
    expect(runtime.length).toBeGreaterThan(0);
    expect(new Set(runtime).size).toBe(1);
    expect(bench.match(/const LAMBDA_NODE_MAJOR = (\d+);/)?.[1]).toBe(runtime[0]);
  });
});
