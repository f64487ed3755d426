/** True inside the single executable of `make dist`. node:sea's isSea() came with Node 20.12. */
export function isSingleExecutable(): boolean {
  try {
    return (require('node:sea') as typeof import('node:sea')).isSea();
  } catch {
    return false;
  }
}
