# bash completion for watchtab(1) and watchtabd(8).
# Install: copy to /usr/share/bash-completion/completions/watchtab and link (or copy) it as
# .../completions/watchtabd too; or `source` it from ~/.bashrc.
# Its word lists are checked against the programs' option tables by the project's tests.

_watchtab() {
  local cur prev cmd i
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD - 1]}
  cmd=
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      -*) ;;
      *) cmd=${COMP_WORDS[i]}; break ;;
    esac
  done
  if [[ -z $cmd ]]; then
    COMPREPLY=($(compgen -W 'check list events edit status --help --version' -- "$cur"))
    return
  fi
  case $cmd:$prev in
    status:--socket) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  local options
  case $cmd in
    check) options='--help' ;;
    list) options='--json --help' ;;
    events) options='--recursive --json --debug --help' ;;
    edit) options='--help' ;;
    status) options='--json --socket --help' ;;
    *) return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
  elif [[ $cmd != status ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}

_watchtabd() {
  local cur prev
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD - 1]}
  case $prev in
    --watchtab | -c | --log-file | --socket) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --state-dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --log-level) COMPREPLY=($(compgen -W 'error warn info debug' -- "$cur")); return ;;
    --backend) COMPREPLY=($(compgen -W 'auto inotify fanotify poll' -- "$cur")); return ;;
    --poll-interval | --grace) return ;;
  esac
  COMPREPLY=($(compgen -W '--watchtab --check --log-level --log-file --backend --poll-interval --grace --socket --state-dir --help --version' -- "$cur"))
}

complete -o filenames -F _watchtab watchtab
complete -o filenames -F _watchtabd watchtabd
