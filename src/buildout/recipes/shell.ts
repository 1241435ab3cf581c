import { BuildoutError, BuildoutErrorCode } from '../errors.ts';

/**
 * POSIX shell words, as Python's shlex.split (posix mode, no comments) and
 * shlex.quote do: the wrapper recipe's command-line in, a /bin/sh script out.
 */
export function shellSplit(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote === "'") {
      if (char === "'") quote = undefined; else word += char;
      continue;
    }
    if (quote === '"') {
      if (char === '"') { quote = undefined; continue; }
      if (char === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1]!)) { word += text[++i]; continue; }
      word += char;
      continue;
    }
    if (/\s/.test(char)) {
      if (inWord) { words.push(word); word = ''; inWord = false; }
      continue;
    }
    inWord = true;
    if (char === "'" || char === '"') quote = char;
    else if (char === '\\' && i + 1 < text.length) word += text[++i];
    else word += char;
  }
  if (quote) throw new BuildoutError(BuildoutErrorCode.OPTION_VALUE, `No closing quotation in ${JSON.stringify(text)}`);
  if (inWord) words.push(word);
  return words;
}

/** Quotes one word for /bin/sh; words made only of safe characters stay as they are. */
export function shellQuote(word: string): string {
  if (word === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}
