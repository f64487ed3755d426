/** `<debug start>`: commands are printed and their output is not sent to /dev/null. */
import type { ElementView } from '../config/element';

export function parseDebug(view: ElementView | undefined): boolean {
  if (!view) return false;
  view.expect(['start']);
  return view.bool('start');
}
