# bash completion for duet
_duet() {
    local cur prev words cword
    _init_completion || return

    local global="--home --prompts --no-color --passphrase-fd --version --help"
    local cmd="" i
    for ((i = 1; i < cword; i++)); do
        case "${words[i]}" in
            reflect|invite|share|review|passphrase|check|erase|unlock|lock) cmd="${words[i]}"; break ;;
        esac
    done

    case "$prev" in
        --home|--prompts|--shared)
            _filedir -d; return ;;
        -o|--output|--message-file|--import|--check)
            _filedir; return ;;
        --pack)
            COMPREPLY=($(compgen -W "$(duet reflect --list 2>/dev/null | awk 'NF && $1 !~ /^\// {print $1}')" -- "$cur"))
            return ;;
        --format)
            COMPREPLY=($(compgen -W "text markdown json html" -- "$cur")); return ;;
        --since|--until)
            COMPREPLY=($(compgen -W "today yesterday last-session" -- "$cur")); return ;;
    esac

    case "$cmd" in
        "")
            COMPREPLY=($(compgen -W "reflect invite share review passphrase check erase unlock lock $global" -- "$cur")) ;;
        reflect)
            COMPREPLY=($(compgen -W "--pack --prompt --answer --skip --for-session --together --import --check --list --remind --help" -- "$cur")) ;;
        invite)
            if [[ " ${words[*]} " == *" accept "* || " ${words[*]} " == *" decline "* ]]; then
                COMPREPLY=($(compgen -W "--name --message --shared --yes --help" -- "$cur"))
                [[ $cur != -* ]] && _filedir
            else
                COMPREPLY=($(compgen -W "accept decline status --name --message --message-file --shared -o --help" -- "$cur"))
            fi ;;
        share)
            COMPREPLY=($(compgen -W "--yes --list --withdraw --help" -- "$cur")) ;;
        review)
            COMPREPLY=($(compgen -W "--since --until --last --pack --grep --mine --partner --format --summary --session-done -o --force --help" -- "$cur")) ;;
        passphrase)
            COMPREPLY=($(compgen -W "--new-passphrase-fd --help" -- "$cur")) ;;
        check)
            COMPREPLY=($(compgen -W "--salvage --help" -- "$cur")) ;;
        erase)
            COMPREPLY=($(compgen -W "--yes --help" -- "$cur")) ;;
        lock)
            COMPREPLY=($(compgen -W "--help" -- "$cur")) ;;
        unlock)
            [[ $prev == --for ]] && { COMPREPLY=($(compgen -W "15m 30m 1h 2h" -- "$cur")); return; }
            COMPREPLY=($(compgen -W "--for --help" -- "$cur")) ;;
    esac
}
complete -F _duet duet
