// A seeded mutation fuzz run over the sample and real models: every mutant ends in a DlcError or a valid
// result. `npm run fuzz -- --count N --seed S` runs more.
import { ciFuzzModels } from './fuzz-models.js';
import { runFuzz } from './run-fuzz.js';

test('2000 seeded mutants of real models: no crash', () => {
  const report = runFuzz(ciFuzzModels(), 2000, 20261123);
  expect(report.crashes).toEqual([]);
  expect(report.cases).toBe(2000);
  // Both outcomes must occur, or the mutations are not reaching the importer.
  expect(report.rejected).toBeGreaterThan(100);
  expect(report.accepted).toBeGreaterThan(10);
});
