# Added by feedctl's generator (src/generate.rs): the --type values. `feedctl __complete-types
# WORDS…` prints the event types stored in the journal the words before the cursor name
# (-j/--journal, $FEEDCTL_JOURNAL, ./feedctl-journal.db), else the 17 Symphony types; when
# feedctl cannot run, the 17 Symphony types.
function __feedctl_types
    set -l words (commandline -opc)
    set -l out ($words[1] __complete-types $words 2>/dev/null </dev/null)
    or set out MESSAGESENT SHAREDPOST INSTANTMESSAGECREATED ROOMCREATED ROOMUPDATED ROOMDEACTIVATED ROOMREACTIVATED USERJOINEDROOM USERLEFTROOM ROOMMEMBERPROMOTEDTOOWNER ROOMMEMBERDEMOTEDFROMOWNER CONNECTIONREQUESTED CONNECTIONACCEPTED MESSAGESUPPRESSED SYMPHONYELEMENTSACTION USERREQUESTEDTOJOINROOM GENERICSYSTEMEVENT
    printf '%s
' $out
end

# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_feedctl_global_optspecs
    string join \n config= v/verbose q/quiet o/output= no-color y/yes h/help V/version host= port= scheme= username= private-key= datafeed-version= insecure
end

function __fish_feedctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_feedctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_feedctl_using_subcommand
    set -l cmd (__fish_feedctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c feedctl -n "__fish_feedctl_needs_command" -l config -d 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]' -r -F
complete -c feedctl -n "__fish_feedctl_needs_command" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_needs_command" -l host -d 'Pod host for every component [env: FEEDCTL_HOST]' -r
complete -c feedctl -n "__fish_feedctl_needs_command" -l port -d 'Port for every component [env: FEEDCTL_PORT]' -r
complete -c feedctl -n "__fish_feedctl_needs_command" -l scheme -d 'http or https for every component [env: FEEDCTL_SCHEME]' -r
complete -c feedctl -n "__fish_feedctl_needs_command" -l username -d 'Bot username [env: FEEDCTL_BOT_USERNAME]' -r
complete -c feedctl -n "__fish_feedctl_needs_command" -l private-key -d 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]' -r -F
complete -c feedctl -n "__fish_feedctl_needs_command" -l datafeed-version -d 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]' -r
complete -c feedctl -n "__fish_feedctl_needs_command" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_needs_command" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_needs_command" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_needs_command" -s y -l yes -d 'Answer yes to every question (never prompt)'
complete -c feedctl -n "__fish_feedctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_needs_command" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_needs_command" -l insecure -d 'Do not verify TLS certificates (test servers only; prints a warning)'
complete -c feedctl -n "__fish_feedctl_needs_command" -f -a "init" -d 'Write a bot config.yaml step by step, and a new RSA key pair if the bot needs one'
complete -c feedctl -n "__fish_feedctl_needs_command" -f -a "config" -d 'Show the resolved configuration and where each value came from'
complete -c feedctl -n "__fish_feedctl_needs_command" -f -a "auth" -d 'Check that the bot can authenticate'
complete -c feedctl -n "__fish_feedctl_needs_command" -f -a "datafeed" -d 'The raw Datafeed API: create, list, delete, read'
complete -c feedctl -n "__fish_feedctl_needs_command" -f -a "tail" -d 'Follow a feed live and print events as they come, surviving server faults'
complete -c feedctl -n "__fish_feedctl_needs_command" -f -a "record" -d 'Follow a feed and write every chunk into a SQLite journal; resumes where it stopped'
complete -c feedctl -n "__fish_feedctl_needs_command" -f -a "journal" -d 'Look into, export, import and check journals'
complete -c feedctl -n "__fish_feedctl_needs_command" -f -a "replay" -d 'Replay recorded chunks through a bot\'s handler command, offline'
complete -c feedctl -n "__fish_feedctl_needs_command" -f -a "consume" -d 'Run handler workers on a Redis stream shared through a consumer group'
complete -c feedctl -n "__fish_feedctl_needs_command" -f -a "serve" -d 'Emulate a Symphony pod or a Salesforce endpoint on loopback, serving events to a bot'
complete -c feedctl -n "__fish_feedctl_needs_command" -f -a "inject" -d 'Push hand-made events into a running `feedctl serve`'
complete -c feedctl -n "__fish_feedctl_needs_command" -f -a "demo" -d 'The main job end to end against a built-in emulator: no pod needed'
complete -c feedctl -n "__fish_feedctl_needs_command" -f -a "completions" -d 'Print a shell completion script: bash, zsh, fish, powershell or elvish'
complete -c feedctl -n "__fish_feedctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c feedctl -n "__fish_feedctl_using_subcommand init" -l agent-host -d 'Agent host, when it is not the pod host' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand init" -l generate-key -d 'Generate a new 2048-bit RSA key pair in this directory' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand init" -l config -d 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand init" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand init" -l host -d 'Pod host for every component [env: FEEDCTL_HOST]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand init" -l port -d 'Port for every component [env: FEEDCTL_PORT]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand init" -l scheme -d 'http or https for every component [env: FEEDCTL_SCHEME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand init" -l username -d 'Bot username [env: FEEDCTL_BOT_USERNAME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand init" -l private-key -d 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand init" -l datafeed-version -d 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand init" -l force -d 'Replace an existing config file (and key files, with --generate-key)'
complete -c feedctl -n "__fish_feedctl_using_subcommand init" -l check -d 'Run `feedctl auth check` with the new config once it is written'
complete -c feedctl -n "__fish_feedctl_using_subcommand init" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand init" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand init" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand init" -s y -l yes -d 'Answer yes to every question (never prompt)'
complete -c feedctl -n "__fish_feedctl_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand init" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand init" -l insecure -d 'Do not verify TLS certificates (test servers only; prints a warning)'
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and not __fish_seen_subcommand_from show help" -l config -d 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and not __fish_seen_subcommand_from show help" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and not __fish_seen_subcommand_from show help" -l host -d 'Pod host for every component [env: FEEDCTL_HOST]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and not __fish_seen_subcommand_from show help" -l port -d 'Port for every component [env: FEEDCTL_PORT]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and not __fish_seen_subcommand_from show help" -l scheme -d 'http or https for every component [env: FEEDCTL_SCHEME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and not __fish_seen_subcommand_from show help" -l username -d 'Bot username [env: FEEDCTL_BOT_USERNAME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and not __fish_seen_subcommand_from show help" -l private-key -d 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and not __fish_seen_subcommand_from show help" -l datafeed-version -d 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and not __fish_seen_subcommand_from show help" -s y -l yes
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and not __fish_seen_subcommand_from show help" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and not __fish_seen_subcommand_from show help" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and not __fish_seen_subcommand_from show help" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and not __fish_seen_subcommand_from show help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and not __fish_seen_subcommand_from show help" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and not __fish_seen_subcommand_from show help" -l insecure -d 'Do not verify TLS certificates (test servers only; prints a warning)'
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and not __fish_seen_subcommand_from show help" -f -a "show" -d 'Print every resolved setting (secrets redacted) with its source'
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and not __fish_seen_subcommand_from show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and __fish_seen_subcommand_from show" -l config -d 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and __fish_seen_subcommand_from show" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and __fish_seen_subcommand_from show" -l host -d 'Pod host for every component [env: FEEDCTL_HOST]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and __fish_seen_subcommand_from show" -l port -d 'Port for every component [env: FEEDCTL_PORT]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and __fish_seen_subcommand_from show" -l scheme -d 'http or https for every component [env: FEEDCTL_SCHEME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and __fish_seen_subcommand_from show" -l username -d 'Bot username [env: FEEDCTL_BOT_USERNAME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and __fish_seen_subcommand_from show" -l private-key -d 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and __fish_seen_subcommand_from show" -l datafeed-version -d 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and __fish_seen_subcommand_from show" -s y -l yes
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and __fish_seen_subcommand_from show" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and __fish_seen_subcommand_from show" -l insecure -d 'Do not verify TLS certificates (test servers only; prints a warning)'
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print every resolved setting (secrets redacted) with its source'
complete -c feedctl -n "__fish_feedctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and not __fish_seen_subcommand_from check help" -l config -d 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and not __fish_seen_subcommand_from check help" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and not __fish_seen_subcommand_from check help" -l host -d 'Pod host for every component [env: FEEDCTL_HOST]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and not __fish_seen_subcommand_from check help" -l port -d 'Port for every component [env: FEEDCTL_PORT]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and not __fish_seen_subcommand_from check help" -l scheme -d 'http or https for every component [env: FEEDCTL_SCHEME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and not __fish_seen_subcommand_from check help" -l username -d 'Bot username [env: FEEDCTL_BOT_USERNAME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and not __fish_seen_subcommand_from check help" -l private-key -d 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and not __fish_seen_subcommand_from check help" -l datafeed-version -d 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and not __fish_seen_subcommand_from check help" -s y -l yes
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and not __fish_seen_subcommand_from check help" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and not __fish_seen_subcommand_from check help" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and not __fish_seen_subcommand_from check help" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and not __fish_seen_subcommand_from check help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and not __fish_seen_subcommand_from check help" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and not __fish_seen_subcommand_from check help" -l insecure -d 'Do not verify TLS certificates (test servers only; prints a warning)'
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and not __fish_seen_subcommand_from check help" -f -a "check" -d 'Authenticate and print who the bot is, which endpoints answered and how long they took'
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and not __fish_seen_subcommand_from check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and __fish_seen_subcommand_from check" -l config -d 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and __fish_seen_subcommand_from check" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and __fish_seen_subcommand_from check" -l host -d 'Pod host for every component [env: FEEDCTL_HOST]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and __fish_seen_subcommand_from check" -l port -d 'Port for every component [env: FEEDCTL_PORT]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and __fish_seen_subcommand_from check" -l scheme -d 'http or https for every component [env: FEEDCTL_SCHEME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and __fish_seen_subcommand_from check" -l username -d 'Bot username [env: FEEDCTL_BOT_USERNAME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and __fish_seen_subcommand_from check" -l private-key -d 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and __fish_seen_subcommand_from check" -l datafeed-version -d 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and __fish_seen_subcommand_from check" -s y -l yes
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and __fish_seen_subcommand_from check" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and __fish_seen_subcommand_from check" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and __fish_seen_subcommand_from check" -l insecure -d 'Do not verify TLS certificates (test servers only; prints a warning)'
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "check" -d 'Authenticate and print who the bot is, which endpoints answered and how long they took'
complete -c feedctl -n "__fish_feedctl_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and not __fish_seen_subcommand_from create list delete read help" -l config -d 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and not __fish_seen_subcommand_from create list delete read help" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and not __fish_seen_subcommand_from create list delete read help" -l host -d 'Pod host for every component [env: FEEDCTL_HOST]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and not __fish_seen_subcommand_from create list delete read help" -l port -d 'Port for every component [env: FEEDCTL_PORT]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and not __fish_seen_subcommand_from create list delete read help" -l scheme -d 'http or https for every component [env: FEEDCTL_SCHEME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and not __fish_seen_subcommand_from create list delete read help" -l username -d 'Bot username [env: FEEDCTL_BOT_USERNAME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and not __fish_seen_subcommand_from create list delete read help" -l private-key -d 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and not __fish_seen_subcommand_from create list delete read help" -l datafeed-version -d 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and not __fish_seen_subcommand_from create list delete read help" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and not __fish_seen_subcommand_from create list delete read help" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and not __fish_seen_subcommand_from create list delete read help" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and not __fish_seen_subcommand_from create list delete read help" -s y -l yes -d 'Answer yes to every question (never prompt)'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and not __fish_seen_subcommand_from create list delete read help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and not __fish_seen_subcommand_from create list delete read help" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and not __fish_seen_subcommand_from create list delete read help" -l insecure -d 'Do not verify TLS certificates (test servers only; prints a warning)'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and not __fish_seen_subcommand_from create list delete read help" -f -a "create" -d 'Create a datafeed and print its id'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and not __fish_seen_subcommand_from create list delete read help" -f -a "list" -d 'List the bot\'s active datafeeds (v2)'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and not __fish_seen_subcommand_from create list delete read help" -f -a "delete" -d 'Delete datafeeds (v2); asks first, and needs --yes where it cannot ask'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and not __fish_seen_subcommand_from create list delete read help" -f -a "read" -d 'Make one read call and print the events and the new ackId'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and not __fish_seen_subcommand_from create list delete read help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from create" -l tag -d 'Tag to create the feed with (v2, at most 100 characters)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from create" -l config -d 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from create" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from create" -l host -d 'Pod host for every component [env: FEEDCTL_HOST]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from create" -l port -d 'Port for every component [env: FEEDCTL_PORT]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from create" -l scheme -d 'http or https for every component [env: FEEDCTL_SCHEME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from create" -l username -d 'Bot username [env: FEEDCTL_BOT_USERNAME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from create" -l private-key -d 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from create" -l datafeed-version -d 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from create" -l include-invisible -d 'Also receive events of invisible rooms (v2)'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from create" -s y -l yes
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from create" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from create" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from create" -l insecure -d 'Do not verify TLS certificates (test servers only; prints a warning)'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from list" -l tag -d 'Only feeds created with this tag (at most 100 characters)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from list" -l config -d 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from list" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from list" -l host -d 'Pod host for every component [env: FEEDCTL_HOST]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from list" -l port -d 'Port for every component [env: FEEDCTL_PORT]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from list" -l scheme -d 'http or https for every component [env: FEEDCTL_SCHEME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from list" -l username -d 'Bot username [env: FEEDCTL_BOT_USERNAME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from list" -l private-key -d 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from list" -l datafeed-version -d 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from list" -s y -l yes
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from list" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from list" -l insecure -d 'Do not verify TLS certificates (test servers only; prints a warning)'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from delete" -l config -d 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from delete" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from delete" -l host -d 'Pod host for every component [env: FEEDCTL_HOST]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from delete" -l port -d 'Port for every component [env: FEEDCTL_PORT]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from delete" -l scheme -d 'http or https for every component [env: FEEDCTL_SCHEME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from delete" -l username -d 'Bot username [env: FEEDCTL_BOT_USERNAME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from delete" -l private-key -d 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from delete" -l datafeed-version -d 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from delete" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from delete" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from delete" -s y -l yes -d 'Answer yes to every question (never prompt)'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from delete" -l insecure -d 'Do not verify TLS certificates (test servers only; prints a warning)'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from read" -l ack-id -d 'ackId from the previous read (v2); empty for the first read' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from read" -l timeout -d 'Give up on the read after this long' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from read" -l config -d 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from read" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from read" -l host -d 'Pod host for every component [env: FEEDCTL_HOST]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from read" -l port -d 'Port for every component [env: FEEDCTL_PORT]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from read" -l scheme -d 'http or https for every component [env: FEEDCTL_SCHEME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from read" -l username -d 'Bot username [env: FEEDCTL_BOT_USERNAME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from read" -l private-key -d 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from read" -l datafeed-version -d 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from read" -s y -l yes
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from read" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from read" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from read" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from read" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from read" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from read" -l insecure -d 'Do not verify TLS certificates (test servers only; prints a warning)'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a datafeed and print its id'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the bot\'s active datafeeds (v2)'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete datafeeds (v2); asks first, and needs --yes where it cannot ask'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from help" -f -a "read" -d 'Make one read call and print the events and the new ackId'
complete -c feedctl -n "__fish_feedctl_using_subcommand datafeed; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l feed -d 'Read this datafeed instead of one of feedctl\'s own' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l tag -d 'Tag of feedctl\'s own datafeed, so later runs find and reuse it' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l read-timeout -d 'Abandon a read with no complete answer after this long and read again' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l type -d 'Only events of these types (repeat, or separate with commas)' -r -f -a "(__feedctl_types)"
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l stream -d 'Only events in these streams: conversation ids, stream keys or channels' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l initiator -d 'Only events started by these users (user id or username)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l count -d 'Stop after printing this many events' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l duration -d 'Stop after this long (e.g. 30s, 5m)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l format -d 'Print each event with a template of {fields}, e.g. \'{time} {type} {id}\'' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l from -d 'Where to start reading: beginning, end, an entry id, or @TIME (RFC 3339)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l group -d 'Read as a consumer of this group, acking each entry after it was kept' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l consumer -d 'Consumer name within the group [default: feedctl-HOST]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l claim-idle -d 'Also take over entries pending with other consumers for longer than this (XAUTOCLAIM)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l batch -d 'Most entries per read' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l tls-ca -d 'rediss://: PEM file of the CA certificates that signed the server\'s certificate' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l tls-cert -d 'rediss://: client certificate (PEM) for a server that requires one (tls-auth-clients)' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l tls-key -d 'rediss://: the private key (PEM) of --tls-cert [default: in the --tls-cert file]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l replay -d 'Where a new channel starts: new, all or a replayId [default: new]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l replay-fallback -d 'When a replayId is out of retention: subscribe again with all or new' -r -f -a "all\t''
new\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l connection-timeout -d 'How long to stay disconnected before giving up (exit 4), or `none`' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l max-pending -d 'Most events taken into one chunk' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l sf-org -d 'Log in as the Salesforce CLI\'s org ALIAS (sf org display)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l sf-login-url -d 'sfpubsub://: where the SFDC_* logins log in [default: https://login.salesforce.com]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l pubsub-ca -d 'sfpubsub://: trust only the CA certificates in this PEM file' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l config -d 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l host -d 'Pod host for every component [env: FEEDCTL_HOST]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l port -d 'Port for every component [env: FEEDCTL_PORT]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l scheme -d 'http or https for every component [env: FEEDCTL_SCHEME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l username -d 'Bot username [env: FEEDCTL_BOT_USERNAME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l private-key -d 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l datafeed-version -d 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -s y -l yes
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l exit-at-end -d 'Stop, with exit 0, at the first read that comes back empty'
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l keep-feed -d 'Keep feedctl\'s own datafeed at the end instead of deleting it'
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l raw -d 'Print the bodies of the read responses exactly as received'
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l share-group -d 'Read a --group that other consumers read too [default: refused, exit 2]'
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l allow-plain-http -d 'Allow sfdc+http:// (sfpubsub+http://, an http:// --sf-login-url) to a host that is not loopback'
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand tail" -l insecure -d 'Do not verify TLS certificates (test servers only; prints a warning)'
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -s j -l journal -d 'SQLite journal' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l name -d 'Name of the recording inside the journal' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l feed -d 'Read this datafeed instead of one of feedctl\'s own' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l tag -d 'Tag of feedctl\'s own datafeed, so later runs find and reuse it' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l read-timeout -d 'Abandon a read with no complete answer after this long and read again' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l count -d 'Stop once at least this many events are stored' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l duration -d 'Stop after this long (e.g. 30s, 5m)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l from -d 'Where to start reading: beginning, end, an entry id, or @TIME (RFC 3339)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l group -d 'Read as a consumer of this group, acking each entry after it was kept' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l consumer -d 'Consumer name within the group [default: feedctl-HOST]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l claim-idle -d 'Also take over entries pending with other consumers for longer than this (XAUTOCLAIM)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l batch -d 'Most entries per read' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l tls-ca -d 'rediss://: PEM file of the CA certificates that signed the server\'s certificate' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l tls-cert -d 'rediss://: client certificate (PEM) for a server that requires one (tls-auth-clients)' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l tls-key -d 'rediss://: the private key (PEM) of --tls-cert [default: in the --tls-cert file]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l replay -d 'Where a new channel starts: new, all or a replayId [default: new]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l replay-fallback -d 'When a replayId is out of retention: subscribe again with all or new' -r -f -a "all\t''
new\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l connection-timeout -d 'How long to stay disconnected before giving up (exit 4), or `none`' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l max-pending -d 'Most events taken into one chunk' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l sf-org -d 'Log in as the Salesforce CLI\'s org ALIAS (sf org display)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l sf-login-url -d 'sfpubsub://: where the SFDC_* logins log in [default: https://login.salesforce.com]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l pubsub-ca -d 'sfpubsub://: trust only the CA certificates in this PEM file' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l config -d 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l host -d 'Pod host for every component [env: FEEDCTL_HOST]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l port -d 'Port for every component [env: FEEDCTL_PORT]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l scheme -d 'http or https for every component [env: FEEDCTL_SCHEME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l username -d 'Bot username [env: FEEDCTL_BOT_USERNAME]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l private-key -d 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l datafeed-version -d 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -s y -l yes
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l exit-at-end -d 'Stop, with exit 0, at the first read that comes back empty'
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l share-group -d 'Read a --group that other consumers read too [default: refused, exit 2]'
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l allow-plain-http -d 'Allow sfdc+http:// (sfpubsub+http://, an http:// --sf-login-url) to a host that is not loopback'
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand record" -l insecure -d 'Do not verify TLS certificates (test servers only; prints a warning)'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -l host -r
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -l port -r
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -l scheme -r
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -l username -r
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -l private-key -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -l datafeed-version -r
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -l config -d 'The bot config and `--yes` mean nothing to these commands either (they never read the config file nor ask a question)' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -l insecure
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -s y -l yes
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -f -a "ls" -d 'List the recordings of a journal'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -f -a "info" -d 'Counts by recording, partition, type and stream; time range, duplicates, gaps and size'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -f -a "show" -d 'List stored events'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -f -a "export" -d 'Write stored events as NDJSON (one envelope per event, the exact JSON received inside)'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -f -a "import" -d 'Turn NDJSON into a recording: export output, tail output, or hand-written events'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -f -a "verify" -d 'Check the file (SQLite integrity) and the journal\'s invariants; exit 1 on a problem'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -f -a "runs" -d 'List the stored replay runs, or show one run\'s handler results'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -f -a "outbox" -d 'List what a bot sent back while `feedctl serve` served it'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and not __fish_seen_subcommand_from ls info show export import verify runs outbox help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from ls" -s j -l journal -d 'SQLite journal' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from ls" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from ls" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from ls" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from info" -s j -l journal -d 'SQLite journal' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from info" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from info" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from info" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from info" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from info" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from info" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from show" -s j -l journal -d 'SQLite journal' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from show" -l recording -d 'Only this recording' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from show" -l type -d 'Only events of these types (repeat, or separate with commas)' -r -f -a "(__feedctl_types)"
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from show" -l stream -d 'Only events in these streams (stream ids)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from show" -l since -d 'Only events at or after this time (e.g. 1h ago, 2026-12-01)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from show" -l until -d 'Only events before this time (same forms as --since)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from show" -l last -d 'Only the last N of the selected events' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from show" -l limit -d 'At most this many events' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from show" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from show" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from export" -s j -l journal -d 'SQLite journal' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from export" -l recording -d 'Only this recording' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from export" -l type -d 'Only events of these types (repeat, or separate with commas)' -r -f -a "(__feedctl_types)"
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from export" -l stream -d 'Only events in these streams (stream ids)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from export" -l since -d 'Only events at or after this time (e.g. 1h ago, 2026-12-01)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from export" -l until -d 'Only events before this time (same forms as --since)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from export" -l last -d 'Only the last N of the selected events' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from export" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from export" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from export" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from export" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from import" -s j -l journal -d 'SQLite journal' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from import" -l name -d 'Recording to import into' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from import" -l chunk-size -d 'Events per chunk for plain events' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from import" -l hopeit-type -d 'Lines are hopeit.engine payloads of this dataobject (module.QualName)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from import" -l schema -d 'With --hopeit-type: check every payload against this JSON Schema first' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from import" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from import" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from import" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from import" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from verify" -s j -l journal -d 'SQLite journal' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from verify" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from verify" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from verify" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from verify" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from runs" -s j -l journal -d 'SQLite journal' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from runs" -l limit -d 'At most this many handler runs of RUN (the first ones)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from runs" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from runs" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from runs" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from runs" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from runs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from runs" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from outbox" -s j -l journal -d 'SQLite journal' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from outbox" -l limit -d 'At most this many messages (the latest)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from outbox" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from outbox" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from outbox" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from outbox" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from outbox" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from outbox" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List the recordings of a journal'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from help" -f -a "info" -d 'Counts by recording, partition, type and stream; time range, duplicates, gaps and size'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from help" -f -a "show" -d 'List stored events'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write stored events as NDJSON (one envelope per event, the exact JSON received inside)'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from help" -f -a "import" -d 'Turn NDJSON into a recording: export output, tail output, or hand-written events'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check the file (SQLite integrity) and the journal\'s invariants; exit 1 on a problem'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from help" -f -a "runs" -d 'List the stored replay runs, or show one run\'s handler results'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from help" -f -a "outbox" -d 'List what a bot sent back while `feedctl serve` served it'
complete -c feedctl -n "__fish_feedctl_using_subcommand journal; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l host -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l port -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l scheme -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l username -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l private-key -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l datafeed-version -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l config -d 'The bot config and `--yes` mean nothing to these commands either (they never read the config file nor ask a question)' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -s j -l journal -d 'SQLite journal' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l exec -d 'Handler command, run through `sh -c`' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l mode -d 'per-event or stream (one handler, NDJSON)' -r -f -a "per-event\t'`sh -c CMD` once per event, the event on stdin'
stream\t'one long-lived `sh -c CMD` speaking NDJSON (docs/handler.md)'"
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l concurrency -d 'Most handlers at once within a chunk [default: the number of CPUs]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l requeue-delay -d 'Wait before delivering a re-queued chunk again' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l max-redeliveries -d 'How many times a chunk may be delivered again before exit 75 counts as a failure' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l slow -d 'Warn about a handler running longer than this' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l timeout -d 'Kill a handler running longer than this (0: no limit)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l grace -d 'After Ctrl-C, how long running handlers may finish before they are killed' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l recording -d 'Only this recording' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l type -d 'Only events of these types (repeat, or separate with commas)' -r -f -a "(__feedctl_types)"
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l stream -d 'Only events in these streams (stream ids)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l since -d 'Only events at or after this time (e.g. 1h ago, 2026-12-01)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l until -d 'Only events before this time (same forms as --since)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l last -d 'Only the last N of the selected events' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l chunks -d 'Only chunks A to B (inclusive), e.g. 3..7' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l speed -d 'Time between chunks: original, a factor like 2x, or max [default: max]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l report -d 'Also write the run\'s report as JSON to this file' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l rerun-failed -d 'Deliver again only what did not end handled in this earlier run' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l to -d 'Write the events into this Redis stream instead of running a handler' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l layout -d 'Entry layout: original or hopeit [default: original]' -r -f -a "original\t''
hopeit\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l hopeit-type -d 'hopeit payload class, module.QualName (with --layout hopeit)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l hopeit-ser -d 'hopeit payload serialisation: json, or json+base64 (hopeit\'s default)' -r -f -a "json\t''
json+base64\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l hopeit-comp -d 'hopeit payload compression: none, lz4 (hopeit\'s default), zip (zlib), gzip, bz2 or lzma (xz)' -r -f -a "none\t''
lz4\t''
zip\t''
gzip\t''
bz2\t''
lzma\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l schema -d 'Check every hopeit payload against this JSON Schema before the first XADD' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l maxlen -d 'Trim the stream to about this many entries (XADD MAXLEN ~ N)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l connection-timeout -d 'How long connecting to Redis may take before giving up (exit 4)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l tls-ca -d 'rediss://: PEM file of the CA certificates that signed the server\'s certificate' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l tls-cert -d 'rediss://: client certificate (PEM) for a server that requires one (tls-auth-clients)' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l tls-key -d 'rediss://: the private key (PEM) of --tls-cert [default: in the --tls-cert file]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l insecure
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -s y -l yes
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l sequential -d 'One event at a time, like the Java kit'
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l skip-duplicates -d 'Leave out repeated deliveries (events flagged as duplicates)'
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l dry-run -d 'List what would be delivered, run nothing'
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand replay" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l group -d 'Consumer group' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l dead-letter -d 'Dead-letter stream [default: KEY:dead]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l connection-timeout -d 'How long to stay without a working Redis connection before giving up (exit 4), or `none`' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l tls-ca -d 'rediss://: PEM file of the CA certificates that signed the server\'s certificate' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l tls-cert -d 'rediss://: client certificate (PEM) for a server that requires one (tls-auth-clients)' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l tls-key -d 'rediss://: the private key (PEM) of --tls-cert [default: in the --tls-cert file]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l exec -d 'Handler command, run through `sh -c`' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l consumer -d 'This worker\'s name in the group [default: feedctl-HOST-consume]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l mode -d 'per-event or stream (one handler, NDJSON)' -r -f -a "per-event\t'`sh -c CMD` once per event, the event on stdin'
stream\t'one long-lived `sh -c CMD` speaking NDJSON (docs/handler.md)'"
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l concurrency -d 'Most handlers running at once [default: the number of CPUs]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l batch -d 'Most entries taken per read, handed to the handlers as one chunk [default: --concurrency]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l requeue-delay -d 'Wait before delivering an entry whose handler exited 75 again' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l retry-delay -d 'Wait before delivering an entry whose handler failed again' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l max-deliveries -d 'Most deliveries before a failed entry is dead-lettered' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l claim-idle -d 'Take over entries left pending longer than this' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l slow -d 'Warn about a handler running longer than this' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l timeout -d 'Kill a handler running longer than this, and count it failed' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l grace -d 'After Ctrl-C or SIGTERM, how long running handlers may finish before they are killed' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l count -d 'Stop once this many entries were settled' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l duration -d 'Stop after this long' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l exit-when-idle -d 'Stop once nothing was read, claimed or waiting for this long' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -s j -l journal -d 'Also store the run and every handler result in this journal' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l host -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l port -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l scheme -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l username -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l private-key -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l datafeed-version -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l config -d 'The bot config and `--yes` mean nothing to these commands either (they never read the config file nor ask a question)' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l sequential -d 'One entry at a time'
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l insecure
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -s y -l yes
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -a "status" -d 'Show a consumer group: lag, pending entries per consumer, the oldest one, dead letters'
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -a "requeue" -d 'Put dead letters back into their stream (as new entries) after a fix'
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and not __fish_seen_subcommand_from status requeue help" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from status" -l group -d 'Consumer group' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from status" -l dead-letter -d 'Dead-letter stream [default: KEY:dead]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from status" -l connection-timeout -d 'How long to stay without a working Redis connection before giving up (exit 4), or `none`' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from status" -l tls-ca -d 'rediss://: PEM file of the CA certificates that signed the server\'s certificate' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from status" -l tls-cert -d 'rediss://: client certificate (PEM) for a server that requires one (tls-auth-clients)' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from status" -l tls-key -d 'rediss://: the private key (PEM) of --tls-cert [default: in the --tls-cert file]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from status" -l stuck-after -d 'Exit 1 when an entry has been pending longer than this' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from status" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from status" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from status" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from requeue" -l to -d 'Stream to write the letters into [default: the stream each letter came from]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from requeue" -l count -d 'Move at most this many letters (the oldest first)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from requeue" -l connection-timeout -d 'How long to stay without a working Redis connection before giving up (exit 4), or `none`' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from requeue" -l tls-ca -d 'rediss://: PEM file of the CA certificates that signed the server\'s certificate' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from requeue" -l tls-cert -d 'rediss://: client certificate (PEM) for a server that requires one (tls-auth-clients)' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from requeue" -l tls-key -d 'rediss://: the private key (PEM) of --tls-cert [default: in the --tls-cert file]' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from requeue" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from requeue" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from requeue" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from requeue" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from requeue" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from requeue" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show a consumer group: lag, pending entries per consumer, the oldest one, dead letters'
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from help" -f -a "requeue" -d 'Put dead letters back into their stream (as new entries) after a fix'
complete -c feedctl -n "__fish_feedctl_using_subcommand consume; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l host -r
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l port -r
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l scheme -r
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l username -r
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l private-key -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l datafeed-version -r
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l config -d 'The bot config and `--yes` mean nothing to these commands either (they never read the config file nor ask a question)' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l listen -d 'Address to listen on (port 0 picks a free one)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l state -d 'Keep feeds, replay ids and tokens in DIR across restarts' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l events -d 'Events to serve: an NDJSON file (one V4Event per line), or demo' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -s j -l journal -d 'Journal to serve from, and to store what the bot sends back' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l recording -d 'Serve only this recording of the journal' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l pace -d 'Pace of recorded chunks: original, 2x, or instant' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l key-dir -d 'With --print-config: write a fresh TEST key pair here' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l public-key -d 'The bot\'s RSA public key (PEM): login JWTs must verify against it' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l bot-user-id -d 'User id reported by /pod/v2/sessioninfo' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l bot-name -d 'Display name reported by sessioninfo' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l tls-cert -d 'Serve HTTPS with this certificate (PEM); needs --tls-key' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l tls-key -d 'The private key of --tls-cert (PEM)' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l client-ca -d 'With TLS: verify client certificates against this CA' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l poll-timeout -d 'How long an idle read waits before answering with no events' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l visibility-timeout -d 'How long delivered events wait for their ack before they are delivered again' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l feed-ttl -d 'A feed not read for this long expires' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l max-feeds -d 'Active v2 feeds per user; creating one more answers 403' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l batch-size -d 'Most events in one read' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l fault -d 'Inject a fault: TARGET:KIND[+SKIP][xCOUNT][@PROB], e.g. read:500x3' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l seed -d 'Seed for probabilistic faults and reordering' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l request-log -d 'Also write every request as NDJSON to this file' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l channel -d 'A channel that exists from the start (repeat)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l retention -d 'How long events stay retained for replay' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l session-timeout -d 'A session whose client does not poll again within this long is dropped' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l jwt-public-key -d 'Accept JWT bearer logins signed by this key (PEM)' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l first-replay-id -d 'The first replay id of a new channel [default: the start time in ms x 1,000]' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l pubsub-listen -d 'Also serve the Salesforce Pub/Sub API (gRPC) on this address' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l pubsub-keepalive -d 'Pub/Sub keepalive: an empty response with the latest replay id after this long idle' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l insecure
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -s y -l yes
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l loop -d 'Serve the recording again from the start when it is done'
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l print-config -d 'Print a bot config.yaml for this emulator and exit'
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l accept-any-key -d 'Accept a login JWT signed by any key'
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l skd -d 'Issue session tokens that allow Simplified Key Delivery (no key manager call)'
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l salesforce -d 'Emulate a Salesforce streaming endpoint instead of a pod'
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l pubsub-plain -d 'Serve the Pub/Sub API in plain text (h2c) instead of TLS'
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand serve" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -l host -r
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -l port -r
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -l scheme -r
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -l username -r
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -l private-key -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -l datafeed-version -r
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -l config -d 'The bot config and `--yes` mean nothing to these commands either (they never read the config file nor ask a question)' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -l server -d 'Base URL of the running serve (its first line of output)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -l type -d 'Event type [default: MESSAGESENT; with --channel: per channel kind, see --help]' -r -f -a "(__feedctl_types)"
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -l stream -d 'Stream (conversation) id' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -l text -d 'Message text (MESSAGESENT); wrapped in PresentationML' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -l from -d 'Who sends it: a user id, or a username' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -l file -d 'NDJSON file of complete events to push instead' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -l channel -d 'Publish to this channel of a running `serve --salesforce`' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -l payload -d 'With --channel: the record fields or event payload (a JSON object)' -r
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -l sfdc-fault -d 'Trigger a fault in a running `serve --salesforce`, e.g. drop-sessions' -r -f -a "drop-sessions\t''
revoke-tokens\t''
expire\t''
lock-logins\t''
unlock-logins\t''
deny-app-access\t''
allow-app-access\t''
garbage\t''
reset-streams\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -l insecure
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -s y -l yes
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand inject" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand demo" -l host -r
complete -c feedctl -n "__fish_feedctl_using_subcommand demo" -l port -r
complete -c feedctl -n "__fish_feedctl_using_subcommand demo" -l scheme -r
complete -c feedctl -n "__fish_feedctl_using_subcommand demo" -l username -r
complete -c feedctl -n "__fish_feedctl_using_subcommand demo" -l private-key -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand demo" -l datafeed-version -r
complete -c feedctl -n "__fish_feedctl_using_subcommand demo" -l config -d 'The bot config and `--yes` mean nothing to these commands either (they never read the config file nor ask a question)' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand demo" -l journal -d 'Keep the demo\'s journal in this file' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand demo" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand demo" -l insecure
complete -c feedctl -n "__fish_feedctl_using_subcommand demo" -s y -l yes
complete -c feedctl -n "__fish_feedctl_using_subcommand demo" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand demo" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand demo" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand demo" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand completions" -l host -r
complete -c feedctl -n "__fish_feedctl_using_subcommand completions" -l port -r
complete -c feedctl -n "__fish_feedctl_using_subcommand completions" -l scheme -r
complete -c feedctl -n "__fish_feedctl_using_subcommand completions" -l username -r
complete -c feedctl -n "__fish_feedctl_using_subcommand completions" -l private-key -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand completions" -l datafeed-version -r
complete -c feedctl -n "__fish_feedctl_using_subcommand completions" -l config -d 'The bot config and `--yes` mean nothing to these commands either (they never read the config file nor ask a question)' -r -F
complete -c feedctl -n "__fish_feedctl_using_subcommand completions" -s o -l output -d 'Print as table, json or ndjson [default: table on a terminal, else json]' -r -f -a "table\t''
json\t''
ndjson\t''"
complete -c feedctl -n "__fish_feedctl_using_subcommand completions" -l insecure
complete -c feedctl -n "__fish_feedctl_using_subcommand completions" -s y -l yes
complete -c feedctl -n "__fish_feedctl_using_subcommand completions" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug, -vvv trace)'
complete -c feedctl -n "__fish_feedctl_using_subcommand completions" -s q -l quiet -d 'Only errors on stderr'
complete -c feedctl -n "__fish_feedctl_using_subcommand completions" -l no-color -d 'No colours (also when NO_COLOR is set)'
complete -c feedctl -n "__fish_feedctl_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c feedctl -n "__fish_feedctl_using_subcommand completions" -s V -l version -d 'Print version'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and not __fish_seen_subcommand_from init config auth datafeed tail record journal replay consume serve inject demo completions help" -f -a "init" -d 'Write a bot config.yaml step by step, and a new RSA key pair if the bot needs one'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and not __fish_seen_subcommand_from init config auth datafeed tail record journal replay consume serve inject demo completions help" -f -a "config" -d 'Show the resolved configuration and where each value came from'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and not __fish_seen_subcommand_from init config auth datafeed tail record journal replay consume serve inject demo completions help" -f -a "auth" -d 'Check that the bot can authenticate'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and not __fish_seen_subcommand_from init config auth datafeed tail record journal replay consume serve inject demo completions help" -f -a "datafeed" -d 'The raw Datafeed API: create, list, delete, read'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and not __fish_seen_subcommand_from init config auth datafeed tail record journal replay consume serve inject demo completions help" -f -a "tail" -d 'Follow a feed live and print events as they come, surviving server faults'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and not __fish_seen_subcommand_from init config auth datafeed tail record journal replay consume serve inject demo completions help" -f -a "record" -d 'Follow a feed and write every chunk into a SQLite journal; resumes where it stopped'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and not __fish_seen_subcommand_from init config auth datafeed tail record journal replay consume serve inject demo completions help" -f -a "journal" -d 'Look into, export, import and check journals'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and not __fish_seen_subcommand_from init config auth datafeed tail record journal replay consume serve inject demo completions help" -f -a "replay" -d 'Replay recorded chunks through a bot\'s handler command, offline'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and not __fish_seen_subcommand_from init config auth datafeed tail record journal replay consume serve inject demo completions help" -f -a "consume" -d 'Run handler workers on a Redis stream shared through a consumer group'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and not __fish_seen_subcommand_from init config auth datafeed tail record journal replay consume serve inject demo completions help" -f -a "serve" -d 'Emulate a Symphony pod or a Salesforce endpoint on loopback, serving events to a bot'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and not __fish_seen_subcommand_from init config auth datafeed tail record journal replay consume serve inject demo completions help" -f -a "inject" -d 'Push hand-made events into a running `feedctl serve`'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and not __fish_seen_subcommand_from init config auth datafeed tail record journal replay consume serve inject demo completions help" -f -a "demo" -d 'The main job end to end against a built-in emulator: no pod needed'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and not __fish_seen_subcommand_from init config auth datafeed tail record journal replay consume serve inject demo completions help" -f -a "completions" -d 'Print a shell completion script: bash, zsh, fish, powershell or elvish'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and not __fish_seen_subcommand_from init config auth datafeed tail record journal replay consume serve inject demo completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Print every resolved setting (secrets redacted) with its source'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "check" -d 'Authenticate and print who the bot is, which endpoints answered and how long they took'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and __fish_seen_subcommand_from datafeed" -f -a "create" -d 'Create a datafeed and print its id'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and __fish_seen_subcommand_from datafeed" -f -a "list" -d 'List the bot\'s active datafeeds (v2)'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and __fish_seen_subcommand_from datafeed" -f -a "delete" -d 'Delete datafeeds (v2); asks first, and needs --yes where it cannot ask'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and __fish_seen_subcommand_from datafeed" -f -a "read" -d 'Make one read call and print the events and the new ackId'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and __fish_seen_subcommand_from journal" -f -a "ls" -d 'List the recordings of a journal'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and __fish_seen_subcommand_from journal" -f -a "info" -d 'Counts by recording, partition, type and stream; time range, duplicates, gaps and size'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and __fish_seen_subcommand_from journal" -f -a "show" -d 'List stored events'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and __fish_seen_subcommand_from journal" -f -a "export" -d 'Write stored events as NDJSON (one envelope per event, the exact JSON received inside)'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and __fish_seen_subcommand_from journal" -f -a "import" -d 'Turn NDJSON into a recording: export output, tail output, or hand-written events'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and __fish_seen_subcommand_from journal" -f -a "verify" -d 'Check the file (SQLite integrity) and the journal\'s invariants; exit 1 on a problem'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and __fish_seen_subcommand_from journal" -f -a "runs" -d 'List the stored replay runs, or show one run\'s handler results'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and __fish_seen_subcommand_from journal" -f -a "outbox" -d 'List what a bot sent back while `feedctl serve` served it'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and __fish_seen_subcommand_from consume" -f -a "status" -d 'Show a consumer group: lag, pending entries per consumer, the oldest one, dead letters'
complete -c feedctl -n "__fish_feedctl_using_subcommand help; and __fish_seen_subcommand_from consume" -f -a "requeue" -d 'Put dead letters back into their stream (as new entries) after a fix'
