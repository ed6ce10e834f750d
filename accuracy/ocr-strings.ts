// The known strings of the rendered text lines: seeded, 5 to 25 characters, of the kinds a document or a
// screenshot holds (words, numbers, dates, prices, codes, punctuation). Every character is in PP-OCR's
// dictionary (ppocr_keys_v1.txt holds printable ASCII), so a perfect recognizer has CER 0.
import { seededRandom } from '../compiler/random.js';

export const MIN_LINE_CHARS = 5;
export const MAX_LINE_CHARS = 25;

const WORDS = [
  'the', 'and', 'for', 'with', 'from', 'this', 'that', 'have', 'will', 'your', 'about', 'more', 'time', 'page',
  'total', 'order', 'price', 'date', 'name', 'email', 'phone', 'address', 'invoice', 'number', 'account', 'please',
  'call', 'today', 'open', 'close', 'free', 'new', 'sale', 'item', 'amount', 'tax', 'paid', 'due', 'street', 'city',
  'model', 'data', 'test', 'line', 'text', 'image', 'quick', 'brown', 'fox', 'jumps', 'over', 'lazy', 'dog', 'water',
  'market', 'station', 'hotel', 'room', 'floor', 'exit', 'north', 'south', 'east', 'west', 'menu', 'coffee', 'tea',
  'Monday', 'Friday', 'March', 'October', 'London', 'Paris', 'Berlin', 'Tokyo', 'Google', 'Welcome', 'Thank', 'you',
  'Hello', 'World', 'Total', 'Date', 'Name', 'Street', 'Room', 'Page', 'Note', 'Order', 'ID', 'USB', 'PDF', 'OK',
];
const PUNCTUATION_AFTER = [',', '.', ':', ';', '!', '?'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

type Rng = () => number;

/** An integer in [low, high], uniformly. */
function integer(rng: Rng, low: number, high: number): number {
  return low + Math.min(high - low, Math.floor(((rng() + 1) / 2) * (high - low + 1)));
}
function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[integer(rng, 0, items.length - 1)];
}
function digits(rng: Rng, count: number): string {
  return Array.from({ length: count }, () => String(integer(rng, 0, 9))).join('');
}

/** One token: mostly words, sometimes a number, date, time, price, code or quoted word. */
function token(rng: Rng): string {
  const kind = integer(rng, 0, 27);
  const word = pick(rng, WORDS);
  switch (kind) {
    case 0: return digits(rng, integer(rng, 1, 6));
    case 1: return `${integer(rng, 2000, 2030)}-${String(integer(rng, 1, 12)).padStart(2, '0')}-${String(integer(rng, 1, 28)).padStart(2, '0')}`;
    case 2: return `${integer(rng, 1, 28)} ${pick(rng, MONTHS)}`;
    case 3: return `${String(integer(rng, 0, 23)).padStart(2, '0')}:${digits(rng, 2)}`;
    case 4: return `$${integer(rng, 1, 999)}.${digits(rng, 2)}`;
    case 5: return `${integer(rng, 1, 99)}%`;
    case 6: return `#${digits(rng, integer(rng, 3, 5))}`;
    case 7: return `(${word})`;
    case 8: return `"${word}"`;
    case 9: return `${word.toUpperCase()}`;
    case 10: return `${digits(rng, 3)}-${digits(rng, 4)}`;
    case 11: return `${word}@mail.com`;
    case 12: return `${word}/${pick(rng, WORDS)}`;
    case 13: case 14: return `${word}${pick(rng, PUNCTUATION_AFTER)}`;
    default: return word;
  }
}

/** A line of MIN..MAX characters, no leading, trailing or doubled spaces. */
function line(rng: Rng): string {
  const target = integer(rng, MIN_LINE_CHARS, MAX_LINE_CHARS);
  let text = token(rng);
  while (text.length < target) text += ` ${token(rng)}`;
  if (text.length > MAX_LINE_CHARS) text = text.slice(0, MAX_LINE_CHARS).trimEnd();
  while (text.length < MIN_LINE_CHARS) text += digits(rng, 1);
  return text;
}

/** `count` lines, the same for the same seed. */
export function ocrLineStrings(count: number, seed: number): string[] {
  const rng = seededRandom(seed);
  return Array.from({ length: count }, () => line(rng));
}
