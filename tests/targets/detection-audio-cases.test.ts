// The detection and audio cases (tests/cases/detection-audio-cases.ts) on every target, against the
// reference interpreter, each fed every feed set its case lists.
import { DETECTION_AUDIO_CASES } from '../cases/detection-audio-cases.js';
import { forEachTarget } from '../util/targets.js';

for (const [name, { graph, feeds }] of Object.entries(DETECTION_AUDIO_CASES)) {
  feeds.forEach((given, i) => forEachTarget(`${name} (feed ${i + 1})`, graph, { feeds: given }));
}
