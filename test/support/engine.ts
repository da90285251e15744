import { Engine } from '../../src-main/engine/engine';
import type { SetupInput } from '../../src-shared/contract';
import type { Clock } from '../../src-main/engine/kernel/clock';
import { MemorySecretStore } from '../../src-main/engine/secrets/memory-store';
import { tempDir } from './temp';

export class FakeClock implements Clock {
  private elapsed = 0;
  constructor(private current = new Date('2026-11-25T10:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  /** Time passes: the wall clock and the monotonic clock move together. */
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
    this.elapsed += ms;
  }
  /** The wall clock is set forward (or back, when negative) while no time passes. */
  jump(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  /** A clock that never jumps (like `performance.now()`), in milliseconds. */
  monotonic(): number {
    return this.elapsed;
  }
}

export interface TestEngine {
  engine: Engine;
  secrets: MemorySecretStore;
  clock: FakeClock;
  dataDir: string;
}

/** An engine on a real SQLite file in a temp folder, with in-memory secrets and a fake clock. */
export async function openTestEngine(dataDir = tempDir()): Promise<TestEngine> {
  const secrets = new MemorySecretStore();
  const clock = new FakeClock();
  const engine = await Engine.open({ dataDir, secrets, clock });
  return { engine, secrets, clock, dataDir };
}

/** Every test person's password (the owner's, and members' chosen when they accept an invitation). */
export const TEST_PASSWORD = 'correct horse battery';
export const OWNER = { ownerName: 'Olivia Owner', ownerEmail: 'olivia@agency.test', password: TEST_PASSWORD };

/** First run (app.setup) as OWNER with one workspace; the workspace's id. */
export async function firstRun(engine: Engine, workspace: SetupInput['workspace']): Promise<string> {
  const state = await engine.call('app.setup', { ...OWNER, workspace });
  return state.currentWorkspaceId!;
}
