// Runs the dlc command line in-process, capturing what it prints and its exit code.
import { runCli } from '../../cli/main.js';

export async function dlc(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
  const code = await runCli(args, io, {});
  return { code, stdout, stderr };
}
