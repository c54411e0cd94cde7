/** `pnpm db:seed`: migrates, then writes the demo rows, restoring any that were edited to their shipped content. */
import { voiceCatalog } from '@sp/core';
import { connect } from '../client.js';
import { migrateDatabase } from '../migrate.js';
import { seedDemo } from '../seed/seed.js';
import { databaseCommand } from './database-command.js';

await databaseCommand('db:seed', async (database) => {
  await migrateDatabase(database.url);
  // The voices of the configured text-to-speech provider: a case naming another is refused before anything is written.
  const voices = voiceCatalog({ OPENAI_BASE_URL: process.env.OPENAI_BASE_URL, TTS_VOICES: process.env.TTS_VOICES });
  const handle = connect(database.url, { max: 2, applicationName: 'seed' });
  try {
    const summary = await seedDemo(handle.db, { overwrite: true, voices });
    console.log(
      `seeded tenant ${summary.tenant.slug}: ${summary.users.length} users, ${summary.caseStudies.length} case studies`,
    );
  } finally {
    await handle.close();
  }
  return 0;
});
