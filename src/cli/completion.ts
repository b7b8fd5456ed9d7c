/** Shell completion scripts, made from the command tree itself so they never miss a command or a flag. */
import type { Command } from 'commander'

function words(command: Command): string[] {
  return [...command.commands.map((c) => c.name()), ...command.options.flatMap((o) => [o.long ?? o.short ?? []].flat())]
}

/** Every command path ("" for the root, "llms", "llms list") with the words that may follow it. */
function tree(command: Command, path: string[] = []): [string, string[]][] {
  return [[path.join(' '), words(command)], ...command.commands.flatMap((c) => tree(c, [...path, c.name()]))]
}

/** A bash completion function for the program (zsh loads it through bashcompinit). */
export function bashCompletion(program: Command): string {
  const name = program.name()
  const fn = `_${name.replace(/[^A-Za-z0-9]/g, '_')}`
  const cases = tree(program)
    .map(([path, options]) => `    "${path}") opts="${options.join(' ')}" ;;`)
    .join('\n')
  return `# ${name} completion for bash: source <(${name} completion bash)
${fn}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} path="" word i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    [[ $word == -* ]] && continue
    case "\${path:+$path }$word" in
${tree(program).filter(([p]) => p !== '').map(([p]) => `      "${p}") path="${p}" ;;`).join('\n')}
    esac
  done
  local opts=""
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -o default -F ${fn} ${name}
`
}

export function zshCompletion(program: Command): string {
  return `#compdef ${program.name()}
# ${program.name()} completion for zsh: source <(${program.name()} completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(program).split('\n').slice(1).join('\n')}`
}
