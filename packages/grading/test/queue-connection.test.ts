import { QUEUE_SCHEMA } from '@sp/db';
import { createTestDatabase } from '@sp/dev-postgres/testing';
import PgBoss from 'pg-boss';
import { describe, expect, it } from 'vitest';
import { queueConnection } from '../src/index.js';

const test = await createTestDatabase({ max: 4 });

describe("pg-boss over the project's postgres.js pool", () => {
  it("runs pg-boss's own upkeep (transaction scripts) without errors", async () => {
    const boss = new PgBoss({
      db: queueConnection(test.sql),
      schema: QUEUE_SCHEMA,
      migrate: false,
      schedule: false,
      maintenanceIntervalSeconds: 1,
    });
    const errors: unknown[] = [];
    boss.on('error', (error) => errors.push(error));
    const maintained = new Promise((resolve) => boss.once('maintenance', resolve));
    await boss.start();

    await maintained;
    await boss.stop({ graceful: false, wait: true });

    expect(errors).toEqual([]);
  });

  it('rolls back a failed transaction script and leaves the pool usable', async () => {
    const db = queueConnection(test.sql);
    await expect(db.executeSql('BEGIN; CREATE TABLE boss_probe (id int); SELECT 1 / 0; COMMIT;', [])).rejects.toThrow(
      /division by zero/,
    );

    const { rows } = await db.executeSql("SELECT to_regclass('boss_probe') AS t, $1::int AS n", [7]);
    expect(rows).toEqual([{ t: null, n: 7 }]);
  });
});
