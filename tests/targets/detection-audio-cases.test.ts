// The detection and audio graph (tests/cases/detection-audio-cases.ts) on every target, against the reference
// interpreter: top_k, roi_align, stft and mel_weight_matrix with their data operands given at run time.
import { DETECTION_AUDIO_FEEDS, detectionAudioGraph } from '../cases/detection-audio-cases.js';
import { forEachTarget } from '../util/targets.js';

forEachTarget('top_k with ties, roi_align, stft and mel_weight_matrix, operands given at run time', detectionAudioGraph, { feeds: DETECTION_AUDIO_FEEDS });
