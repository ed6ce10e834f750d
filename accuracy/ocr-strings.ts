// The known strings of the rendered text lines: seeded, 5 to 25 characters, of the kinds a document or a
// screenshot holds (words, numbers, dates, prices, codes, punctuation), and with `chinese` one line in three
// of common Chinese words, numbers and full-width punctuation. Every character is in PP-OCR's dictionary
// (ppocr_keys_v1.txt holds printable ASCII and these), so a perfect recognizer has CER 0.
import { seededRandom } from '../compiler/random.js';

export const MIN_LINE_CHARS = 5;
export const MAX_LINE_CHARS = 25;
/**
 * A Chinese character is about as wide as the line is high, so at the rec input's 48×320 about 9 fit before
 * the line is squeezed: Chinese lines stop at 12 (a squeeze to 3/4 at most) where Latin ones go on to 25.
 */
export const MAX_CHINESE_LINE_CHARS = 12;

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
const CHINESE_WORDS = [
  '中国', '北京', '上海', '广州', '深圳', '发票', '金额', '日期', '电话', '地址', '姓名', '合计', '价格', '数量', '单位',
  '欢迎光临', '营业时间', '出口', '入口', '停车场', '银行', '医院', '学校', '超市', '餐厅', '酒店', '公司', '有限公司',
  '人民', '大学', '图书馆', '火车站', '机场', '地铁', '注意安全', '禁止吸烟', '谢谢', '服务', '中心', '市场', '路', '号',
  '年', '月', '日', '元', '第', '楼', '室', '请', '小心', '台阶', '开放', '免费', '新品', '上市', '手机', '网络',
];
const CHINESE_PUNCTUATION_AFTER = ['，', '。', '：', '！', '？'];
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

/** One Chinese token: mostly words, sometimes a number, a price or a date. */
function chineseToken(rng: Rng): string {
  const kind = integer(rng, 0, 9);
  switch (kind) {
    case 0: return digits(rng, integer(rng, 1, 4));
    case 1: return `${integer(rng, 1, 999)}元`;
    case 2: return `${integer(rng, 1, 12)}月${integer(rng, 1, 28)}日`;
    case 3: return `${pick(rng, CHINESE_WORDS)}${pick(rng, CHINESE_PUNCTUATION_AFTER)}`;
    default: return pick(rng, CHINESE_WORDS);
  }
}

/** A Chinese line of MIN..MAX_CHINESE characters (code points), no spaces. */
function chineseLine(rng: Rng): string {
  const target = integer(rng, MIN_LINE_CHARS, MAX_CHINESE_LINE_CHARS);
  let chars = Array.from(pick(rng, CHINESE_WORDS)); // a word first, so that every Chinese line holds ideographs
  while (chars.length < target) chars = chars.concat(Array.from(chineseToken(rng)));
  return chars.slice(0, MAX_CHINESE_LINE_CHARS).join('');
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

/** `count` lines, the same for the same seed (and `chinese`). */
export function ocrLineStrings(count: number, seed: number, options: { chinese?: boolean } = {}): string[] {
  const rng = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => (options.chinese && i % 3 === 2 ? chineseLine(rng) : line(rng)));
}

/** Whether a line holds CJK ideographs (and needs a CJK font). */
export function hasChinese(text: string): boolean {
  return /\p{Script=Han}/u.test(text);
}
