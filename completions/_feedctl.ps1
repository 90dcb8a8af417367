
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'feedctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'feedctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'feedctl' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a bot config.yaml step by step, and a new RSA key pair if the bot needs one')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the resolved configuration and where each value came from')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Check that the bot can authenticate')
            [CompletionResult]::new('datafeed', 'datafeed', [CompletionResultType]::ParameterValue, 'The raw Datafeed API: create, list, delete, read')
            [CompletionResult]::new('tail', 'tail', [CompletionResultType]::ParameterValue, 'Follow a feed live and print events as they come, surviving server faults')
            [CompletionResult]::new('record', 'record', [CompletionResultType]::ParameterValue, 'Follow a feed and write every chunk into a SQLite journal; resumes where it stopped')
            [CompletionResult]::new('journal', 'journal', [CompletionResultType]::ParameterValue, 'Look into, export, import and check journals')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Replay recorded chunks through a bot''s handler command, offline')
            [CompletionResult]::new('consume', 'consume', [CompletionResultType]::ParameterValue, 'Run handler workers on a Redis stream shared through a consumer group')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Emulate a Symphony pod or a Salesforce endpoint on loopback, serving events to a bot')
            [CompletionResult]::new('inject', 'inject', [CompletionResultType]::ParameterValue, 'Push hand-made events into a running `feedctl serve`')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'The main job end to end against a built-in emulator: no pod needed')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script: bash, zsh, fish, powershell or elvish')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'feedctl;init' {
            [CompletionResult]::new('--agent-host', '--agent-host', [CompletionResultType]::ParameterName, 'Agent host, when it is not the pod host')
            [CompletionResult]::new('--generate-key', '--generate-key', [CompletionResultType]::ParameterName, 'Generate a new 2048-bit RSA key pair in this directory')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace an existing config file (and key files, with --generate-key)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Run `feedctl auth check` with the new config once it is written')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            break
        }
        'feedctl;config' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'y')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'yes')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print every resolved setting (secrets redacted) with its source')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'feedctl;config;show' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'y')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'yes')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            break
        }
        'feedctl;config;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print every resolved setting (secrets redacted) with its source')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'feedctl;config;help;show' {
            break
        }
        'feedctl;config;help;help' {
            break
        }
        'feedctl;auth' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'y')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'yes')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Authenticate and print who the bot is, which endpoints answered and how long they took')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'feedctl;auth;check' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'y')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'yes')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            break
        }
        'feedctl;auth;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Authenticate and print who the bot is, which endpoints answered and how long they took')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'feedctl;auth;help;check' {
            break
        }
        'feedctl;auth;help;help' {
            break
        }
        'feedctl;datafeed' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a datafeed and print its id')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the bot''s active datafeeds (v2)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete datafeeds (v2); asks first, and needs --yes where it cannot ask')
            [CompletionResult]::new('read', 'read', [CompletionResultType]::ParameterValue, 'Make one read call and print the events and the new ackId')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'feedctl;datafeed;create' {
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Tag to create the feed with (v2, at most 100 characters)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('--include-invisible', '--include-invisible', [CompletionResultType]::ParameterName, 'Also receive events of invisible rooms (v2)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'y')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'yes')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            break
        }
        'feedctl;datafeed;list' {
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Only feeds created with this tag (at most 100 characters)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'y')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'yes')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            break
        }
        'feedctl;datafeed;delete' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            break
        }
        'feedctl;datafeed;read' {
            [CompletionResult]::new('--ack-id', '--ack-id', [CompletionResultType]::ParameterName, 'ackId from the previous read (v2); empty for the first read')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on the read after this long')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'y')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'yes')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            break
        }
        'feedctl;datafeed;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a datafeed and print its id')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the bot''s active datafeeds (v2)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete datafeeds (v2); asks first, and needs --yes where it cannot ask')
            [CompletionResult]::new('read', 'read', [CompletionResultType]::ParameterValue, 'Make one read call and print the events and the new ackId')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'feedctl;datafeed;help;create' {
            break
        }
        'feedctl;datafeed;help;list' {
            break
        }
        'feedctl;datafeed;help;delete' {
            break
        }
        'feedctl;datafeed;help;read' {
            break
        }
        'feedctl;datafeed;help;help' {
            break
        }
        'feedctl;tail' {
            [CompletionResult]::new('--feed', '--feed', [CompletionResultType]::ParameterName, 'Read this datafeed instead of one of feedctl''s own')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Tag of feedctl''s own datafeed, so later runs find and reuse it')
            [CompletionResult]::new('--read-timeout', '--read-timeout', [CompletionResultType]::ParameterName, 'Abandon a read with no complete answer after this long and read again')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Only events of these types (repeat, or separate with commas)')
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Only events in these streams: conversation ids, stream keys or channels')
            [CompletionResult]::new('--initiator', '--initiator', [CompletionResultType]::ParameterName, 'Only events started by these users (user id or username)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after printing this many events')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long (e.g. 30s, 5m)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Print each event with a template of {fields}, e.g. ''{time} {type} {id}''')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Where to start reading: beginning, end, an entry id, or @TIME (RFC 3339)')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Read as a consumer of this group, acking each entry after it was kept')
            [CompletionResult]::new('--consumer', '--consumer', [CompletionResultType]::ParameterName, 'Consumer name within the group [default: feedctl-HOST]')
            [CompletionResult]::new('--claim-idle', '--claim-idle', [CompletionResultType]::ParameterName, 'Also take over entries pending with other consumers for longer than this (XAUTOCLAIM)')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Most entries per read')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'rediss://: PEM file of the CA certificates that signed the server''s certificate')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'rediss://: client certificate (PEM) for a server that requires one (tls-auth-clients)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'rediss://: the private key (PEM) of --tls-cert [default: in the --tls-cert file]')
            [CompletionResult]::new('--replay', '--replay', [CompletionResultType]::ParameterName, 'Where a new channel starts: new, all or a replayId [default: new]')
            [CompletionResult]::new('--replay-fallback', '--replay-fallback', [CompletionResultType]::ParameterName, 'When a replayId is out of retention: subscribe again with all or new')
            [CompletionResult]::new('--connection-timeout', '--connection-timeout', [CompletionResultType]::ParameterName, 'How long to stay disconnected before giving up (exit 4), or `none`')
            [CompletionResult]::new('--max-pending', '--max-pending', [CompletionResultType]::ParameterName, 'Most events taken into one chunk')
            [CompletionResult]::new('--sf-org', '--sf-org', [CompletionResultType]::ParameterName, 'Log in as the Salesforce CLI''s org ALIAS (sf org display)')
            [CompletionResult]::new('--sf-login-url', '--sf-login-url', [CompletionResultType]::ParameterName, 'sfpubsub://: where the SFDC_* logins log in [default: https://login.salesforce.com]')
            [CompletionResult]::new('--pubsub-ca', '--pubsub-ca', [CompletionResultType]::ParameterName, 'sfpubsub://: trust only the CA certificates in this PEM file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'y')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'yes')
            [CompletionResult]::new('--exit-at-end', '--exit-at-end', [CompletionResultType]::ParameterName, 'Stop, with exit 0, at the first read that comes back empty')
            [CompletionResult]::new('--keep-feed', '--keep-feed', [CompletionResultType]::ParameterName, 'Keep feedctl''s own datafeed at the end instead of deleting it')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Print the bodies of the read responses exactly as received')
            [CompletionResult]::new('--share-group', '--share-group', [CompletionResultType]::ParameterName, 'Read a --group that other consumers read too [default: refused, exit 2]')
            [CompletionResult]::new('--allow-plain-http', '--allow-plain-http', [CompletionResultType]::ParameterName, 'Allow sfdc+http:// (sfpubsub+http://, an http:// --sf-login-url) to a host that is not loopback')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            break
        }
        'feedctl;record' {
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'SQLite journal')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'SQLite journal')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name of the recording inside the journal')
            [CompletionResult]::new('--feed', '--feed', [CompletionResultType]::ParameterName, 'Read this datafeed instead of one of feedctl''s own')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Tag of feedctl''s own datafeed, so later runs find and reuse it')
            [CompletionResult]::new('--read-timeout', '--read-timeout', [CompletionResultType]::ParameterName, 'Abandon a read with no complete answer after this long and read again')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop once at least this many events are stored')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long (e.g. 30s, 5m)')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Where to start reading: beginning, end, an entry id, or @TIME (RFC 3339)')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Read as a consumer of this group, acking each entry after it was kept')
            [CompletionResult]::new('--consumer', '--consumer', [CompletionResultType]::ParameterName, 'Consumer name within the group [default: feedctl-HOST]')
            [CompletionResult]::new('--claim-idle', '--claim-idle', [CompletionResultType]::ParameterName, 'Also take over entries pending with other consumers for longer than this (XAUTOCLAIM)')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Most entries per read')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'rediss://: PEM file of the CA certificates that signed the server''s certificate')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'rediss://: client certificate (PEM) for a server that requires one (tls-auth-clients)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'rediss://: the private key (PEM) of --tls-cert [default: in the --tls-cert file]')
            [CompletionResult]::new('--replay', '--replay', [CompletionResultType]::ParameterName, 'Where a new channel starts: new, all or a replayId [default: new]')
            [CompletionResult]::new('--replay-fallback', '--replay-fallback', [CompletionResultType]::ParameterName, 'When a replayId is out of retention: subscribe again with all or new')
            [CompletionResult]::new('--connection-timeout', '--connection-timeout', [CompletionResultType]::ParameterName, 'How long to stay disconnected before giving up (exit 4), or `none`')
            [CompletionResult]::new('--max-pending', '--max-pending', [CompletionResultType]::ParameterName, 'Most events taken into one chunk')
            [CompletionResult]::new('--sf-org', '--sf-org', [CompletionResultType]::ParameterName, 'Log in as the Salesforce CLI''s org ALIAS (sf org display)')
            [CompletionResult]::new('--sf-login-url', '--sf-login-url', [CompletionResultType]::ParameterName, 'sfpubsub://: where the SFDC_* logins log in [default: https://login.salesforce.com]')
            [CompletionResult]::new('--pubsub-ca', '--pubsub-ca', [CompletionResultType]::ParameterName, 'sfpubsub://: trust only the CA certificates in this PEM file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'y')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'yes')
            [CompletionResult]::new('--exit-at-end', '--exit-at-end', [CompletionResultType]::ParameterName, 'Stop, with exit 0, at the first read that comes back empty')
            [CompletionResult]::new('--share-group', '--share-group', [CompletionResultType]::ParameterName, 'Read a --group that other consumers read too [default: refused, exit 2]')
            [CompletionResult]::new('--allow-plain-http', '--allow-plain-http', [CompletionResultType]::ParameterName, 'Allow sfdc+http:// (sfpubsub+http://, an http:// --sf-login-url) to a host that is not loopback')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            break
        }
        'feedctl;journal' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'host')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'port')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'scheme')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'username')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'private-key')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'datafeed-version')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The bot config and `--yes` mean nothing to these commands either (they never read the config file nor ask a question)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'insecure')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'y')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'yes')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List the recordings of a journal')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Counts by recording, partition, type and stream; time range, duplicates, gaps and size')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'List stored events')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write stored events as NDJSON (one envelope per event, the exact JSON received inside)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Turn NDJSON into a recording: export output, tail output, or hand-written events')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the file (SQLite integrity) and the journal''s invariants; exit 1 on a problem')
            [CompletionResult]::new('runs', 'runs', [CompletionResultType]::ParameterValue, 'List the stored replay runs, or show one run''s handler results')
            [CompletionResult]::new('outbox', 'outbox', [CompletionResultType]::ParameterValue, 'List what a bot sent back while `feedctl serve` served it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'feedctl;journal;ls' {
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'SQLite journal')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'SQLite journal')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'feedctl;journal;info' {
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'SQLite journal')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'SQLite journal')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'feedctl;journal;show' {
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'SQLite journal')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'SQLite journal')
            [CompletionResult]::new('--recording', '--recording', [CompletionResultType]::ParameterName, 'Only this recording')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Only events of these types (repeat, or separate with commas)')
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Only events in these streams (stream ids)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only events at or after this time (e.g. 1h ago, 2026-12-01)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only events before this time (same forms as --since)')
            [CompletionResult]::new('--last', '--last', [CompletionResultType]::ParameterName, 'Only the last N of the selected events')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many events')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'feedctl;journal;export' {
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'SQLite journal')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'SQLite journal')
            [CompletionResult]::new('--recording', '--recording', [CompletionResultType]::ParameterName, 'Only this recording')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Only events of these types (repeat, or separate with commas)')
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Only events in these streams (stream ids)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only events at or after this time (e.g. 1h ago, 2026-12-01)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only events before this time (same forms as --since)')
            [CompletionResult]::new('--last', '--last', [CompletionResultType]::ParameterName, 'Only the last N of the selected events')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'feedctl;journal;import' {
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'SQLite journal')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'SQLite journal')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Recording to import into')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Events per chunk for plain events')
            [CompletionResult]::new('--hopeit-type', '--hopeit-type', [CompletionResultType]::ParameterName, 'Lines are hopeit.engine payloads of this dataobject (module.QualName)')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'With --hopeit-type: check every payload against this JSON Schema first')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'feedctl;journal;verify' {
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'SQLite journal')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'SQLite journal')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'feedctl;journal;runs' {
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'SQLite journal')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'SQLite journal')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many handler runs of RUN (the first ones)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'feedctl;journal;outbox' {
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'SQLite journal')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'SQLite journal')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many messages (the latest)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'feedctl;journal;help' {
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List the recordings of a journal')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Counts by recording, partition, type and stream; time range, duplicates, gaps and size')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'List stored events')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write stored events as NDJSON (one envelope per event, the exact JSON received inside)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Turn NDJSON into a recording: export output, tail output, or hand-written events')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the file (SQLite integrity) and the journal''s invariants; exit 1 on a problem')
            [CompletionResult]::new('runs', 'runs', [CompletionResultType]::ParameterValue, 'List the stored replay runs, or show one run''s handler results')
            [CompletionResult]::new('outbox', 'outbox', [CompletionResultType]::ParameterValue, 'List what a bot sent back while `feedctl serve` served it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'feedctl;journal;help;ls' {
            break
        }
        'feedctl;journal;help;info' {
            break
        }
        'feedctl;journal;help;show' {
            break
        }
        'feedctl;journal;help;export' {
            break
        }
        'feedctl;journal;help;import' {
            break
        }
        'feedctl;journal;help;verify' {
            break
        }
        'feedctl;journal;help;runs' {
            break
        }
        'feedctl;journal;help;outbox' {
            break
        }
        'feedctl;journal;help;help' {
            break
        }
        'feedctl;replay' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'host')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'port')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'scheme')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'username')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'private-key')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'datafeed-version')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The bot config and `--yes` mean nothing to these commands either (they never read the config file nor ask a question)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'SQLite journal')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'SQLite journal')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Handler command, run through `sh -c`')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'per-event or stream (one handler, NDJSON)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Most handlers at once within a chunk [default: the number of CPUs]')
            [CompletionResult]::new('--requeue-delay', '--requeue-delay', [CompletionResultType]::ParameterName, 'Wait before delivering a re-queued chunk again')
            [CompletionResult]::new('--max-redeliveries', '--max-redeliveries', [CompletionResultType]::ParameterName, 'How many times a chunk may be delivered again before exit 75 counts as a failure')
            [CompletionResult]::new('--slow', '--slow', [CompletionResultType]::ParameterName, 'Warn about a handler running longer than this')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Kill a handler running longer than this (0: no limit)')
            [CompletionResult]::new('--grace', '--grace', [CompletionResultType]::ParameterName, 'After Ctrl-C, how long running handlers may finish before they are killed')
            [CompletionResult]::new('--recording', '--recording', [CompletionResultType]::ParameterName, 'Only this recording')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Only events of these types (repeat, or separate with commas)')
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Only events in these streams (stream ids)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only events at or after this time (e.g. 1h ago, 2026-12-01)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only events before this time (same forms as --since)')
            [CompletionResult]::new('--last', '--last', [CompletionResultType]::ParameterName, 'Only the last N of the selected events')
            [CompletionResult]::new('--chunks', '--chunks', [CompletionResultType]::ParameterName, 'Only chunks A to B (inclusive), e.g. 3..7')
            [CompletionResult]::new('--speed', '--speed', [CompletionResultType]::ParameterName, 'Time between chunks: original, a factor like 2x, or max [default: max]')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Also write the run''s report as JSON to this file')
            [CompletionResult]::new('--rerun-failed', '--rerun-failed', [CompletionResultType]::ParameterName, 'Deliver again only what did not end handled in this earlier run')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Write the events into this Redis stream instead of running a handler')
            [CompletionResult]::new('--layout', '--layout', [CompletionResultType]::ParameterName, 'Entry layout: original or hopeit [default: original]')
            [CompletionResult]::new('--hopeit-type', '--hopeit-type', [CompletionResultType]::ParameterName, 'hopeit payload class, module.QualName (with --layout hopeit)')
            [CompletionResult]::new('--hopeit-ser', '--hopeit-ser', [CompletionResultType]::ParameterName, 'hopeit payload serialisation: json, or json+base64 (hopeit''s default)')
            [CompletionResult]::new('--hopeit-comp', '--hopeit-comp', [CompletionResultType]::ParameterName, 'hopeit payload compression: none, lz4 (hopeit''s default), zip (zlib), gzip, bz2 or lzma (xz)')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Check every hopeit payload against this JSON Schema before the first XADD')
            [CompletionResult]::new('--maxlen', '--maxlen', [CompletionResultType]::ParameterName, 'Trim the stream to about this many entries (XADD MAXLEN ~ N)')
            [CompletionResult]::new('--connection-timeout', '--connection-timeout', [CompletionResultType]::ParameterName, 'How long connecting to Redis may take before giving up (exit 4)')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'rediss://: PEM file of the CA certificates that signed the server''s certificate')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'rediss://: client certificate (PEM) for a server that requires one (tls-auth-clients)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'rediss://: the private key (PEM) of --tls-cert [default: in the --tls-cert file]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'insecure')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'y')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'yes')
            [CompletionResult]::new('--sequential', '--sequential', [CompletionResultType]::ParameterName, 'One event at a time, like the Java kit')
            [CompletionResult]::new('--skip-duplicates', '--skip-duplicates', [CompletionResultType]::ParameterName, 'Leave out repeated deliveries (events flagged as duplicates)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'List what would be delivered, run nothing')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'feedctl;consume' {
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Consumer group')
            [CompletionResult]::new('--dead-letter', '--dead-letter', [CompletionResultType]::ParameterName, 'Dead-letter stream [default: KEY:dead]')
            [CompletionResult]::new('--connection-timeout', '--connection-timeout', [CompletionResultType]::ParameterName, 'How long to stay without a working Redis connection before giving up (exit 4), or `none`')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'rediss://: PEM file of the CA certificates that signed the server''s certificate')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'rediss://: client certificate (PEM) for a server that requires one (tls-auth-clients)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'rediss://: the private key (PEM) of --tls-cert [default: in the --tls-cert file]')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Handler command, run through `sh -c`')
            [CompletionResult]::new('--consumer', '--consumer', [CompletionResultType]::ParameterName, 'This worker''s name in the group [default: feedctl-HOST-consume]')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'per-event or stream (one handler, NDJSON)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Most handlers running at once [default: the number of CPUs]')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Most entries taken per read, handed to the handlers as one chunk [default: --concurrency]')
            [CompletionResult]::new('--requeue-delay', '--requeue-delay', [CompletionResultType]::ParameterName, 'Wait before delivering an entry whose handler exited 75 again')
            [CompletionResult]::new('--retry-delay', '--retry-delay', [CompletionResultType]::ParameterName, 'Wait before delivering an entry whose handler failed again')
            [CompletionResult]::new('--max-deliveries', '--max-deliveries', [CompletionResultType]::ParameterName, 'Most deliveries before a failed entry is dead-lettered')
            [CompletionResult]::new('--claim-idle', '--claim-idle', [CompletionResultType]::ParameterName, 'Take over entries left pending longer than this')
            [CompletionResult]::new('--slow', '--slow', [CompletionResultType]::ParameterName, 'Warn about a handler running longer than this')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Kill a handler running longer than this, and count it failed')
            [CompletionResult]::new('--grace', '--grace', [CompletionResultType]::ParameterName, 'After Ctrl-C or SIGTERM, how long running handlers may finish before they are killed')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop once this many entries were settled')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long')
            [CompletionResult]::new('--exit-when-idle', '--exit-when-idle', [CompletionResultType]::ParameterName, 'Stop once nothing was read, claimed or waiting for this long')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Also store the run and every handler result in this journal')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Also store the run and every handler result in this journal')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'host')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'port')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'scheme')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'username')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'private-key')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'datafeed-version')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The bot config and `--yes` mean nothing to these commands either (they never read the config file nor ask a question)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--sequential', '--sequential', [CompletionResultType]::ParameterName, 'One entry at a time')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'insecure')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'y')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'yes')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show a consumer group: lag, pending entries per consumer, the oldest one, dead letters')
            [CompletionResult]::new('requeue', 'requeue', [CompletionResultType]::ParameterValue, 'Put dead letters back into their stream (as new entries) after a fix')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'feedctl;consume;status' {
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Consumer group')
            [CompletionResult]::new('--dead-letter', '--dead-letter', [CompletionResultType]::ParameterName, 'Dead-letter stream [default: KEY:dead]')
            [CompletionResult]::new('--connection-timeout', '--connection-timeout', [CompletionResultType]::ParameterName, 'How long to stay without a working Redis connection before giving up (exit 4), or `none`')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'rediss://: PEM file of the CA certificates that signed the server''s certificate')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'rediss://: client certificate (PEM) for a server that requires one (tls-auth-clients)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'rediss://: the private key (PEM) of --tls-cert [default: in the --tls-cert file]')
            [CompletionResult]::new('--stuck-after', '--stuck-after', [CompletionResultType]::ParameterName, 'Exit 1 when an entry has been pending longer than this')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'feedctl;consume;requeue' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Stream to write the letters into [default: the stream each letter came from]')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Move at most this many letters (the oldest first)')
            [CompletionResult]::new('--connection-timeout', '--connection-timeout', [CompletionResultType]::ParameterName, 'How long to stay without a working Redis connection before giving up (exit 4), or `none`')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'rediss://: PEM file of the CA certificates that signed the server''s certificate')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'rediss://: client certificate (PEM) for a server that requires one (tls-auth-clients)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'rediss://: the private key (PEM) of --tls-cert [default: in the --tls-cert file]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'feedctl;consume;help' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show a consumer group: lag, pending entries per consumer, the oldest one, dead letters')
            [CompletionResult]::new('requeue', 'requeue', [CompletionResultType]::ParameterValue, 'Put dead letters back into their stream (as new entries) after a fix')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'feedctl;consume;help;status' {
            break
        }
        'feedctl;consume;help;requeue' {
            break
        }
        'feedctl;consume;help;help' {
            break
        }
        'feedctl;serve' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'host')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'port')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'scheme')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'username')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'private-key')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'datafeed-version')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The bot config and `--yes` mean nothing to these commands either (they never read the config file nor ask a question)')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on (port 0 picks a free one)')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Keep feeds, replay ids and tokens in DIR across restarts')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'Events to serve: an NDJSON file (one V4Event per line), or demo')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Journal to serve from, and to store what the bot sends back')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Journal to serve from, and to store what the bot sends back')
            [CompletionResult]::new('--recording', '--recording', [CompletionResultType]::ParameterName, 'Serve only this recording of the journal')
            [CompletionResult]::new('--pace', '--pace', [CompletionResultType]::ParameterName, 'Pace of recorded chunks: original, 2x, or instant')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'With --print-config: write a fresh TEST key pair here')
            [CompletionResult]::new('--public-key', '--public-key', [CompletionResultType]::ParameterName, 'The bot''s RSA public key (PEM): login JWTs must verify against it')
            [CompletionResult]::new('--bot-user-id', '--bot-user-id', [CompletionResultType]::ParameterName, 'User id reported by /pod/v2/sessioninfo')
            [CompletionResult]::new('--bot-name', '--bot-name', [CompletionResultType]::ParameterName, 'Display name reported by sessioninfo')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Serve HTTPS with this certificate (PEM); needs --tls-key')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The private key of --tls-cert (PEM)')
            [CompletionResult]::new('--client-ca', '--client-ca', [CompletionResultType]::ParameterName, 'With TLS: verify client certificates against this CA')
            [CompletionResult]::new('--poll-timeout', '--poll-timeout', [CompletionResultType]::ParameterName, 'How long an idle read waits before answering with no events')
            [CompletionResult]::new('--visibility-timeout', '--visibility-timeout', [CompletionResultType]::ParameterName, 'How long delivered events wait for their ack before they are delivered again')
            [CompletionResult]::new('--feed-ttl', '--feed-ttl', [CompletionResultType]::ParameterName, 'A feed not read for this long expires')
            [CompletionResult]::new('--max-feeds', '--max-feeds', [CompletionResultType]::ParameterName, 'Active v2 feeds per user; creating one more answers 403')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Most events in one read')
            [CompletionResult]::new('--fault', '--fault', [CompletionResultType]::ParameterName, 'Inject a fault: TARGET:KIND[+SKIP][xCOUNT][@PROB], e.g. read:500x3')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed for probabilistic faults and reordering')
            [CompletionResult]::new('--request-log', '--request-log', [CompletionResultType]::ParameterName, 'Also write every request as NDJSON to this file')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'A channel that exists from the start (repeat)')
            [CompletionResult]::new('--retention', '--retention', [CompletionResultType]::ParameterName, 'How long events stay retained for replay')
            [CompletionResult]::new('--session-timeout', '--session-timeout', [CompletionResultType]::ParameterName, 'A session whose client does not poll again within this long is dropped')
            [CompletionResult]::new('--jwt-public-key', '--jwt-public-key', [CompletionResultType]::ParameterName, 'Accept JWT bearer logins signed by this key (PEM)')
            [CompletionResult]::new('--first-replay-id', '--first-replay-id', [CompletionResultType]::ParameterName, 'The first replay id of a new channel [default: the start time in ms x 1,000]')
            [CompletionResult]::new('--pubsub-listen', '--pubsub-listen', [CompletionResultType]::ParameterName, 'Also serve the Salesforce Pub/Sub API (gRPC) on this address')
            [CompletionResult]::new('--pubsub-keepalive', '--pubsub-keepalive', [CompletionResultType]::ParameterName, 'Pub/Sub keepalive: an empty response with the latest replay id after this long idle')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'insecure')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'y')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'yes')
            [CompletionResult]::new('--loop', '--loop', [CompletionResultType]::ParameterName, 'Serve the recording again from the start when it is done')
            [CompletionResult]::new('--print-config', '--print-config', [CompletionResultType]::ParameterName, 'Print a bot config.yaml for this emulator and exit')
            [CompletionResult]::new('--accept-any-key', '--accept-any-key', [CompletionResultType]::ParameterName, 'Accept a login JWT signed by any key')
            [CompletionResult]::new('--skd', '--skd', [CompletionResultType]::ParameterName, 'Issue session tokens that allow Simplified Key Delivery (no key manager call)')
            [CompletionResult]::new('--salesforce', '--salesforce', [CompletionResultType]::ParameterName, 'Emulate a Salesforce streaming endpoint instead of a pod')
            [CompletionResult]::new('--pubsub-plain', '--pubsub-plain', [CompletionResultType]::ParameterName, 'Serve the Pub/Sub API in plain text (h2c) instead of TLS')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'feedctl;inject' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'host')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'port')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'scheme')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'username')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'private-key')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'datafeed-version')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The bot config and `--yes` mean nothing to these commands either (they never read the config file nor ask a question)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the running serve (its first line of output)')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Event type [default: MESSAGESENT; with --channel: per channel kind, see --help]')
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Stream (conversation) id')
            [CompletionResult]::new('--text', '--text', [CompletionResultType]::ParameterName, 'Message text (MESSAGESENT); wrapped in PresentationML')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Who sends it: a user id, or a username')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'NDJSON file of complete events to push instead')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Publish to this channel of a running `serve --salesforce`')
            [CompletionResult]::new('--payload', '--payload', [CompletionResultType]::ParameterName, 'With --channel: the record fields or event payload (a JSON object)')
            [CompletionResult]::new('--sfdc-fault', '--sfdc-fault', [CompletionResultType]::ParameterName, 'Trigger a fault in a running `serve --salesforce`, e.g. drop-sessions')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'insecure')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'y')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'yes')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'feedctl;demo' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'host')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'port')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'scheme')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'username')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'private-key')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'datafeed-version')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The bot config and `--yes` mean nothing to these commands either (they never read the config file nor ask a question)')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Keep the demo''s journal in this file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'insecure')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'y')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'yes')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'feedctl;completions' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'host')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'port')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'scheme')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'username')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'private-key')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'datafeed-version')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The bot config and `--yes` mean nothing to these commands either (they never read the config file nor ask a question)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print as table, json or ndjson [default: table on a terminal, else json]')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'insecure')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'y')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'yes')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'feedctl;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a bot config.yaml step by step, and a new RSA key pair if the bot needs one')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the resolved configuration and where each value came from')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Check that the bot can authenticate')
            [CompletionResult]::new('datafeed', 'datafeed', [CompletionResultType]::ParameterValue, 'The raw Datafeed API: create, list, delete, read')
            [CompletionResult]::new('tail', 'tail', [CompletionResultType]::ParameterValue, 'Follow a feed live and print events as they come, surviving server faults')
            [CompletionResult]::new('record', 'record', [CompletionResultType]::ParameterValue, 'Follow a feed and write every chunk into a SQLite journal; resumes where it stopped')
            [CompletionResult]::new('journal', 'journal', [CompletionResultType]::ParameterValue, 'Look into, export, import and check journals')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Replay recorded chunks through a bot''s handler command, offline')
            [CompletionResult]::new('consume', 'consume', [CompletionResultType]::ParameterValue, 'Run handler workers on a Redis stream shared through a consumer group')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Emulate a Symphony pod or a Salesforce endpoint on loopback, serving events to a bot')
            [CompletionResult]::new('inject', 'inject', [CompletionResultType]::ParameterValue, 'Push hand-made events into a running `feedctl serve`')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'The main job end to end against a built-in emulator: no pod needed')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script: bash, zsh, fish, powershell or elvish')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'feedctl;help;init' {
            break
        }
        'feedctl;help;config' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print every resolved setting (secrets redacted) with its source')
            break
        }
        'feedctl;help;config;show' {
            break
        }
        'feedctl;help;auth' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Authenticate and print who the bot is, which endpoints answered and how long they took')
            break
        }
        'feedctl;help;auth;check' {
            break
        }
        'feedctl;help;datafeed' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a datafeed and print its id')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the bot''s active datafeeds (v2)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete datafeeds (v2); asks first, and needs --yes where it cannot ask')
            [CompletionResult]::new('read', 'read', [CompletionResultType]::ParameterValue, 'Make one read call and print the events and the new ackId')
            break
        }
        'feedctl;help;datafeed;create' {
            break
        }
        'feedctl;help;datafeed;list' {
            break
        }
        'feedctl;help;datafeed;delete' {
            break
        }
        'feedctl;help;datafeed;read' {
            break
        }
        'feedctl;help;tail' {
            break
        }
        'feedctl;help;record' {
            break
        }
        'feedctl;help;journal' {
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List the recordings of a journal')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Counts by recording, partition, type and stream; time range, duplicates, gaps and size')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'List stored events')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write stored events as NDJSON (one envelope per event, the exact JSON received inside)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Turn NDJSON into a recording: export output, tail output, or hand-written events')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the file (SQLite integrity) and the journal''s invariants; exit 1 on a problem')
            [CompletionResult]::new('runs', 'runs', [CompletionResultType]::ParameterValue, 'List the stored replay runs, or show one run''s handler results')
            [CompletionResult]::new('outbox', 'outbox', [CompletionResultType]::ParameterValue, 'List what a bot sent back while `feedctl serve` served it')
            break
        }
        'feedctl;help;journal;ls' {
            break
        }
        'feedctl;help;journal;info' {
            break
        }
        'feedctl;help;journal;show' {
            break
        }
        'feedctl;help;journal;export' {
            break
        }
        'feedctl;help;journal;import' {
            break
        }
        'feedctl;help;journal;verify' {
            break
        }
        'feedctl;help;journal;runs' {
            break
        }
        'feedctl;help;journal;outbox' {
            break
        }
        'feedctl;help;replay' {
            break
        }
        'feedctl;help;consume' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show a consumer group: lag, pending entries per consumer, the oldest one, dead letters')
            [CompletionResult]::new('requeue', 'requeue', [CompletionResultType]::ParameterValue, 'Put dead letters back into their stream (as new entries) after a fix')
            break
        }
        'feedctl;help;consume;status' {
            break
        }
        'feedctl;help;consume;requeue' {
            break
        }
        'feedctl;help;serve' {
            break
        }
        'feedctl;help;inject' {
            break
        }
        'feedctl;help;demo' {
            break
        }
        'feedctl;help;completions' {
            break
        }
        'feedctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
