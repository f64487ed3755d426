/** The socket plugin's wire format: a new TCP connection per event, the absolute path bytes, close. */
import net from 'node:net';

export interface DeliveryLimits {
  /** Per attempt: connecting, sending and closing together. */
  readonly timeoutMs: number;
  readonly attempts: number;
  /** Pause before the second attempt; doubles after each failure. */
  readonly retryDelayMs: number;
}

export const DELIVERY_DEFAULTS: DeliveryLimits = { timeoutMs: 3000, attempts: 3, retryDelayMs: 200 };

export function sendOnce(host: string, port: number, payload: Buffer, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => socket.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('connect', () => socket.end(payload));
    socket.once('close', (hadError) => {
      clearTimeout(timer);
      if (!hadError) resolve();
    });
    socket.resume();
  });
}

/** Tries a few times with a growing pause; rejects with the last error. */
export async function withRetries<T>(limits: DeliveryLimits, attempt: () => Promise<T>): Promise<T> {
  let delay = limits.retryDelayMs;
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= limits.attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay *= 2;
    }
  }
}
