/** Command and option names as commander spells them; nothing bash would expand. */
const PLAIN_WORD = /^[\w.:=-]+$/;

/** A command as completion sees it: its name, its options, its subcommands. */
export interface CompletionNode {
  name: string;
  /** Every spelling of every option (`-v`, `--verbose`). */
  options: string[];
  subcommands: CompletionNode[];
}

/**
 * A bash completion script for `program`: after the known command words it
 * offers the subcommands and options of the command reached so far, and file
 * names where no subcommand fits. Generated from the command tree so that it
 * never lags behind the commands.
 */
export function bashCompletionScript(program: CompletionNode): string {
  const table = new Map<string, CompletionNode>();
  const walk = (node: CompletionNode, path: string) => {
    table.set(path, node);
    for (const sub of node.subcommands) walk(sub, path === '' ? sub.name : `${path} ${sub.name}`);
  };
  walk(program, '');
  const fn = `_${program.name.replace(/\W/g, '_')}_completion`;
  const known = [...table.keys()].filter((path) => path !== '');
  const cases = [...table].map(([path, node]) => {
    // compgen -W expands its word list again, so only plain words are offered.
    const words = [...node.subcommands.map((s) => s.name), ...node.options].filter((word) => PLAIN_WORD.test(word));
    return `    ${shellQuote(path)}) words=${shellQuote(words.join(' '))}; leaf=${node.subcommands.length === 0 ? 1 : 0} ;;`;
  });
  return `# bash completion for ${program.name}; load with: source <(${program.name} completion bash)
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" candidate word words leaf i
  local known=${shellQuote(`|${known.join('|')}|`)}
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ "$word" == -* ]] && continue
    candidate="\${path:+$path }$word"
    [[ "$known" == *"|$candidate|"* ]] && path="$candidate"
  done
  case "$path" in
${cases.join('\n')}
    *) words=""; leaf=1 ;;
  esac
  if [[ "$cur" != -* && "$leaf" == 1 ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  fi
}
complete -o filenames -F ${fn} ${shellQuote(program.name)}
`;
}

/** One word for bash, single-quoted so that nothing in it is interpreted. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
