// Child process for the crash test: appends notes to a store as fast as it can until killed.
import { z } from 'zod';
import { createLogger } from '../../../main/log';
import { JsonStore } from '../../../main/storage/jsonStore';

const file = process.argv[2]!;
const Notes = z.object({ items: z.array(z.object({ id: z.string(), text: z.string() })) });
const store = new JsonStore({ file, version: 1, schema: Notes, empty: () => ({ items: [] }), log: createLogger({ sink: { write: () => undefined } }) });

let n = (await store.load()).items.length;
process.stdout.write('ready\n');
for (;;) {
  n += 1;
  // Big enough that a write takes a while, so kills land mid-write.
  await store.update((d) => ({ items: [...d.items, { id: String(n), text: 'x'.repeat(2000) }] }));
}
