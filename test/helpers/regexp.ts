/** `text` as a regular expression that matches exactly it: file names in output are data. */
export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
