import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { serveStatic } from './browser.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-serve-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function get(url: string): Promise<{ status: number; type?: string; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    }).on('error', reject);
  });
}

test('serves folders, files and bytes by prefix, and nothing outside them', async () => {
  fs.mkdirSync(path.join(tmp, 'site', 'sub'), { recursive: true });
  fs.writeFileSync(path.join(tmp, 'site', 'sub', 'a.js'), 'export {}');
  fs.writeFileSync(path.join(tmp, 'secret.txt'), 'secret');
  const server = await serveStatic({ '/page.html': new TextEncoder().encode('<p>hi</p>'), '/site/': path.join(tmp, 'site'), '/one.wasm': path.join(tmp, 'site', 'sub', 'a.js') });
  try {
    expect(await get(`${server.url}/page.html`)).toEqual({ status: 200, type: 'text/html', body: '<p>hi</p>' });
    expect(await get(`${server.url}/site/sub/a.js`)).toMatchObject({ status: 200, type: 'text/javascript', body: 'export {}' });
    expect((await get(`${server.url}/one.wasm`)).type).toBe('application/wasm');
    expect((await get(`${server.url}/site/../secret.txt`)).status).toBe(404);
    expect((await get(`${server.url}/site/%2e%2e/secret.txt`)).status).toBe(404);
    expect((await get(`${server.url}/site/sub`)).status).toBe(404);
    expect((await get(`${server.url}/nothing`)).status).toBe(404);
  } finally {
    await server.close();
  }
});
