
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
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config file (YAML or JSON) [default: $FEEDCTL_CONFIG, ./config.yaml, ~/.symphony/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file, PKCS#1 or PKCS#8 PEM [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a bot config.yaml step by step, and a new RSA key pair if the bot needs one')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the resolved configuration and where each value came from')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Check that the bot can authenticate')
            [CompletionResult]::new('datafeed', 'datafeed', [CompletionResultType]::ParameterValue, 'The raw Datafeed API: create, list, delete, read')
            [CompletionResult]::new('tail', 'tail', [CompletionResultType]::ParameterValue, 'Follow a feed live and print events as they come, surviving server faults')
            [CompletionResult]::new('record', 'record', [CompletionResultType]::ParameterValue, 'Follow a feed and write every chunk into a SQLite journal; resumes where it stopped')
            [CompletionResult]::new('journal', 'journal', [CompletionResultType]::ParameterValue, 'Look into, export, import and check journals')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Replay recorded chunks through a bot''s handler command, offline')
            [CompletionResult]::new('consume', 'consume', [CompletionResultType]::ParameterValue, 'Run handler workers on a Redis stream shared through a consumer group')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run an emulated pod on loopback that serves events to a bot, and capture its replies')
            [CompletionResult]::new('inject', 'inject', [CompletionResultType]::ParameterValue, 'Push hand-made events into a running `feedctl serve`')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'The main job end to end against a built-in emulator: no pod needed')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script: bash, zsh, fish, powershell or elvish')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'feedctl;init' {
            [CompletionResult]::new('--agent-host', '--agent-host', [CompletionResultType]::ParameterName, 'Agent host, when it is not the pod host: NAME, NAME:PORT or https://NAME:PORT')
            [CompletionResult]::new('--generate-key', '--generate-key', [CompletionResultType]::ParameterName, 'Generate a new 2048-bit RSA key pair in this directory (bot-private.pem, mode 600, and bot-public.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config file (YAML or JSON) [default: $FEEDCTL_CONFIG, ./config.yaml, ~/.symphony/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file, PKCS#1 or PKCS#8 PEM [env: FEEDCTL_PRIVATE_KEY_PATH]')
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
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'feedctl;config' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config file (YAML or JSON) [default: $FEEDCTL_CONFIG, ./config.yaml, ~/.symphony/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file, PKCS#1 or PKCS#8 PEM [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print every resolved setting (secrets redacted) with its source')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'feedctl;config;show' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config file (YAML or JSON) [default: $FEEDCTL_CONFIG, ./config.yaml, ~/.symphony/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file, PKCS#1 or PKCS#8 PEM [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
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
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config file (YAML or JSON) [default: $FEEDCTL_CONFIG, ./config.yaml, ~/.symphony/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file, PKCS#1 or PKCS#8 PEM [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Authenticate and print who the bot is, which endpoints answered and how long they took')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'feedctl;auth;check' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config file (YAML or JSON) [default: $FEEDCTL_CONFIG, ./config.yaml, ~/.symphony/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file, PKCS#1 or PKCS#8 PEM [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
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
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config file (YAML or JSON) [default: $FEEDCTL_CONFIG, ./config.yaml, ~/.symphony/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file, PKCS#1 or PKCS#8 PEM [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a datafeed and print its id')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the bot''s active datafeeds (v2)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete datafeeds (v2); asks first, and needs --yes where it cannot ask')
            [CompletionResult]::new('read', 'read', [CompletionResultType]::ParameterValue, 'Make one read call and print the events and the new ackId')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'feedctl;datafeed;create' {
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Tag to create the feed with (v2, at most 100 characters)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config file (YAML or JSON) [default: $FEEDCTL_CONFIG, ./config.yaml, ~/.symphony/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file, PKCS#1 or PKCS#8 PEM [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('--include-invisible', '--include-invisible', [CompletionResultType]::ParameterName, 'Also receive events of invisible rooms (v2)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'feedctl;datafeed;list' {
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Only feeds created with this tag (at most 100 characters)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config file (YAML or JSON) [default: $FEEDCTL_CONFIG, ./config.yaml, ~/.symphony/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file, PKCS#1 or PKCS#8 PEM [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'feedctl;datafeed;delete' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config file (YAML or JSON) [default: $FEEDCTL_CONFIG, ./config.yaml, ~/.symphony/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file, PKCS#1 or PKCS#8 PEM [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'feedctl;datafeed;read' {
            [CompletionResult]::new('--ack-id', '--ack-id', [CompletionResultType]::ParameterName, 'ackId from the previous read (v2); empty for the first read')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on the read after this long')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config file (YAML or JSON) [default: $FEEDCTL_CONFIG, ./config.yaml, ~/.symphony/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file, PKCS#1 or PKCS#8 PEM [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (never prompt)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
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
            [CompletionResult]::new('--feed', '--feed', [CompletionResultType]::ParameterName, 'Read this datafeed instead of one of feedctl''s own (its other readers share its events)')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Tag of feedctl''s own datafeed, so later runs find and reuse it (at most 100 characters) [default: feedctl for tail, feedctl-record-NAME for record]')
            [CompletionResult]::new('--read-timeout', '--read-timeout', [CompletionResultType]::ParameterName, 'Abandon a read with no complete answer after this long and read again (long poll + margin)')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Only events of these types (Symphony: any of the 17, case-insensitive; Redis: hopeit''s type; repeat or separate with commas)')
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Only events in these streams (stream ids)')
            [CompletionResult]::new('--initiator', '--initiator', [CompletionResultType]::ParameterName, 'Only events started by these users (user id or username)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after printing this many events')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long (e.g. 30s, 5m)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Print each event with a template of {fields}: time timestamp type id message_id stream stream_id initiator initiator_id text feed chunk')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Where to start reading a stream: beginning, end, an entry id, or @TIME (RFC 3339) [default: end for tail, beginning for a new recording; a recording resumes from its marker]')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Read as a consumer of this group (created from the start of the stream when missing), acking each entry after it was kept')
            [CompletionResult]::new('--consumer', '--consumer', [CompletionResultType]::ParameterName, 'Consumer name within the group [default: feedctl-HOST, and feedctl-HOST-NAME for a recording]')
            [CompletionResult]::new('--claim-idle', '--claim-idle', [CompletionResultType]::ParameterName, 'Also take over entries pending with other consumers for longer than this (XAUTOCLAIM)')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Most entries per read')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'rediss://: PEM file of the CA certificates that signed the server''s certificate [default: SSL_CERT_FILE, else the Mozilla roots]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'rediss://: client certificate (PEM) for a server that requires one (tls-auth-clients)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'rediss://: the private key (PEM) of --tls-cert [default: in the --tls-cert file]')
            [CompletionResult]::new('--replay', '--replay', [CompletionResultType]::ParameterName, 'Where a channel without a marker starts: new, all (everything retained) or a replayId (after it) [default: new]')
            [CompletionResult]::new('--replay-fallback', '--replay-fallback', [CompletionResultType]::ParameterName, 'When a replayId is out of retention: subscribe again with all or new (a gap is recorded) instead of stopping')
            [CompletionResult]::new('--connection-timeout', '--connection-timeout', [CompletionResultType]::ParameterName, 'How long to stay disconnected (from Salesforce or Redis) before giving up (exit 4), or `none` to retry forever [default: none for record, 10s for tail]')
            [CompletionResult]::new('--max-pending', '--max-pending', [CompletionResultType]::ParameterName, 'Most events taken into one chunk; no new long poll is sent while any are pending')
            [CompletionResult]::new('--sf-org', '--sf-org', [CompletionResultType]::ParameterName, 'Log in as the Salesforce CLI''s org ALIAS (`sf org display --target-org ALIAS --json`, asked again when the token is refused); the SFDC_* variables are then not read')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config file (YAML or JSON) [default: $FEEDCTL_CONFIG, ./config.yaml, ~/.symphony/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file, PKCS#1 or PKCS#8 PEM [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'y')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'yes')
            [CompletionResult]::new('--exit-at-end', '--exit-at-end', [CompletionResultType]::ParameterName, 'Stop, with exit 0, at the first read that comes back empty: the backlog is read (like kcat -e)')
            [CompletionResult]::new('--keep-feed', '--keep-feed', [CompletionResultType]::ParameterName, 'Keep feedctl''s own datafeed at the end instead of deleting it')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Print the bodies of the read responses exactly as received')
            [CompletionResult]::new('--share-group', '--share-group', [CompletionResultType]::ParameterName, 'Read a --group that other consumers read too: each entry goes to one of them, and those feedctl takes it acknowledges, so the others never get them [default: refused, exit 2]')
            [CompletionResult]::new('--allow-plain-http', '--allow-plain-http', [CompletionResultType]::ParameterName, 'Allow sfdc+http:// to a host that is not loopback (the token crosses the network in clear)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'feedctl;record' {
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Journal file (SQLite)')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Journal file (SQLite)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name of the recording inside the journal (a journal can hold several)')
            [CompletionResult]::new('--feed', '--feed', [CompletionResultType]::ParameterName, 'Read this datafeed instead of one of feedctl''s own (its other readers share its events)')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Tag of feedctl''s own datafeed, so later runs find and reuse it (at most 100 characters) [default: feedctl for tail, feedctl-record-NAME for record]')
            [CompletionResult]::new('--read-timeout', '--read-timeout', [CompletionResultType]::ParameterName, 'Abandon a read with no complete answer after this long and read again (long poll + margin)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop once at least this many events are stored (the chunk that crosses it is stored whole)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long (e.g. 30s, 5m)')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Where to start reading a stream: beginning, end, an entry id, or @TIME (RFC 3339) [default: end for tail, beginning for a new recording; a recording resumes from its marker]')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Read as a consumer of this group (created from the start of the stream when missing), acking each entry after it was kept')
            [CompletionResult]::new('--consumer', '--consumer', [CompletionResultType]::ParameterName, 'Consumer name within the group [default: feedctl-HOST, and feedctl-HOST-NAME for a recording]')
            [CompletionResult]::new('--claim-idle', '--claim-idle', [CompletionResultType]::ParameterName, 'Also take over entries pending with other consumers for longer than this (XAUTOCLAIM)')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Most entries per read')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'rediss://: PEM file of the CA certificates that signed the server''s certificate [default: SSL_CERT_FILE, else the Mozilla roots]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'rediss://: client certificate (PEM) for a server that requires one (tls-auth-clients)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'rediss://: the private key (PEM) of --tls-cert [default: in the --tls-cert file]')
            [CompletionResult]::new('--replay', '--replay', [CompletionResultType]::ParameterName, 'Where a channel without a marker starts: new, all (everything retained) or a replayId (after it) [default: new]')
            [CompletionResult]::new('--replay-fallback', '--replay-fallback', [CompletionResultType]::ParameterName, 'When a replayId is out of retention: subscribe again with all or new (a gap is recorded) instead of stopping')
            [CompletionResult]::new('--connection-timeout', '--connection-timeout', [CompletionResultType]::ParameterName, 'How long to stay disconnected (from Salesforce or Redis) before giving up (exit 4), or `none` to retry forever [default: none for record, 10s for tail]')
            [CompletionResult]::new('--max-pending', '--max-pending', [CompletionResultType]::ParameterName, 'Most events taken into one chunk; no new long poll is sent while any are pending')
            [CompletionResult]::new('--sf-org', '--sf-org', [CompletionResultType]::ParameterName, 'Log in as the Salesforce CLI''s org ALIAS (`sf org display --target-org ALIAS --json`, asked again when the token is refused); the SFDC_* variables are then not read')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Bot config file (YAML or JSON) [default: $FEEDCTL_CONFIG, ./config.yaml, ~/.symphony/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Pod host for every component [env: FEEDCTL_HOST]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for every component [env: FEEDCTL_PORT]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'http or https for every component [env: FEEDCTL_SCHEME]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Bot username [env: FEEDCTL_BOT_USERNAME]')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'Bot RSA private key file, PKCS#1 or PKCS#8 PEM [env: FEEDCTL_PRIVATE_KEY_PATH]')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'y')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'yes')
            [CompletionResult]::new('--exit-at-end', '--exit-at-end', [CompletionResultType]::ParameterName, 'Stop, with exit 0, at the first read that comes back empty: the backlog is read (like kcat -e)')
            [CompletionResult]::new('--share-group', '--share-group', [CompletionResultType]::ParameterName, 'Read a --group that other consumers read too: each entry goes to one of them, and those feedctl takes it acknowledges, so the others never get them [default: refused, exit 2]')
            [CompletionResult]::new('--allow-plain-http', '--allow-plain-http', [CompletionResultType]::ParameterName, 'Allow sfdc+http:// to a host that is not loopback (the token crosses the network in clear)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates (test servers only; prints a warning)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
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
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
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
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Journal file (SQLite)')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Journal file (SQLite)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
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
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Journal file (SQLite)')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Journal file (SQLite)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
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
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Journal file (SQLite)')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Journal file (SQLite)')
            [CompletionResult]::new('--recording', '--recording', [CompletionResultType]::ParameterName, 'Only this recording')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Only events of these types (Symphony''s 17, case-insensitive; others exactly as recorded: hopeit''s module.Class, a Redis type field, a Salesforce event; repeat or separate with commas)')
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Only events in these streams')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only events at or after this time: 1h / 30m / 2d ago, 2026-12-01 (UTC), 2026-11-22T14:30:00Z, or ms since the epoch')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only events before this time (same forms as --since)')
            [CompletionResult]::new('--last', '--last', [CompletionResultType]::ParameterName, 'Only the last N of the selected events (still printed or replayed oldest first)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many events')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
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
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Journal file (SQLite)')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Journal file (SQLite)')
            [CompletionResult]::new('--recording', '--recording', [CompletionResultType]::ParameterName, 'Only this recording')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Only events of these types (Symphony''s 17, case-insensitive; others exactly as recorded: hopeit''s module.Class, a Redis type field, a Salesforce event; repeat or separate with commas)')
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Only events in these streams')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only events at or after this time: 1h / 30m / 2d ago, 2026-12-01 (UTC), 2026-11-22T14:30:00Z, or ms since the epoch')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only events before this time (same forms as --since)')
            [CompletionResult]::new('--last', '--last', [CompletionResultType]::ParameterName, 'Only the last N of the selected events (still printed or replayed oldest first)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
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
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Journal file (SQLite)')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Journal file (SQLite)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Recording to import into [default: the envelopes'' recording, else the file name]')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Events per chunk for plain events')
            [CompletionResult]::new('--hopeit-type', '--hopeit-type', [CompletionResultType]::ParameterName, 'Each line is a hopeit.engine payload (a JSON object) of this dataobject, module.QualName: stored as hopeit entries, ready for `replay --to redis://… --layout hopeit`')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'With --hopeit-type: check every payload against this JSON Schema first (a JSON Schema file, or an OpenAPI document: its components/schemas/<Class>; FILE#/pointer picks another)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
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
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Journal file (SQLite)')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Journal file (SQLite)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
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
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Journal file (SQLite)')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Journal file (SQLite)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many handler runs of RUN (the first ones)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
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
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Journal file (SQLite)')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Journal file (SQLite)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many messages (the latest)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
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
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Journal file (SQLite)')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Journal file (SQLite)')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Handler command, run through `sh -c`')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'Run the handler per event, or once for the whole replay (NDJSON in and out)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Most handlers running at once within a chunk [default: the number of CPUs]')
            [CompletionResult]::new('--requeue-delay', '--requeue-delay', [CompletionResultType]::ParameterName, 'Wait before delivering a re-queued chunk again')
            [CompletionResult]::new('--max-redeliveries', '--max-redeliveries', [CompletionResultType]::ParameterName, 'How many times a chunk may be delivered again before exit 75 counts as a failure')
            [CompletionResult]::new('--slow', '--slow', [CompletionResultType]::ParameterName, 'Warn about a handler running longer than this')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Kill a handler (its whole process group) running longer than this, and count it failed; in stream mode, the limit for a chunk''s results; 0 for no limit')
            [CompletionResult]::new('--grace', '--grace', [CompletionResultType]::ParameterName, 'After Ctrl-C, how long running handlers may finish before they are killed')
            [CompletionResult]::new('--recording', '--recording', [CompletionResultType]::ParameterName, 'Only this recording')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Only events of these types (Symphony''s 17, case-insensitive; others exactly as recorded: hopeit''s module.Class, a Redis type field, a Salesforce event; repeat or separate with commas)')
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Only events in these streams')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only events at or after this time: 1h / 30m / 2d ago, 2026-12-01 (UTC), 2026-11-22T14:30:00Z, or ms since the epoch')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only events before this time (same forms as --since)')
            [CompletionResult]::new('--last', '--last', [CompletionResultType]::ParameterName, 'Only the last N of the selected events (still printed or replayed oldest first)')
            [CompletionResult]::new('--chunks', '--chunks', [CompletionResultType]::ParameterName, 'Only chunks A to B (inclusive), e.g. 3..7')
            [CompletionResult]::new('--speed', '--speed', [CompletionResultType]::ParameterName, 'Time between chunks: original (as recorded), a factor like 2x, or max (no waiting)')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Also write the run''s report as JSON to this file')
            [CompletionResult]::new('--rerun-failed', '--rerun-failed', [CompletionResultType]::ParameterName, 'Deliver again only the events that did not end handled in this earlier run')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Write the events into this Redis stream with XADD instead of running a handler: redis://[user:password@]host[:port][/db]/KEY (host: a server, or any node of a Redis Cluster; rediss://, redis+unix:///SOCKET?key=KEY, redis+sentinel://HOST[:PORT][,…]/MASTER/KEY)')
            [CompletionResult]::new('--layout', '--layout', [CompletionResultType]::ParameterName, 'Entry layout: original (Redis entries keep their fields) or hopeit (hopeit.engine''s fields, the event as payload)')
            [CompletionResult]::new('--hopeit-type', '--hopeit-type', [CompletionResultType]::ParameterName, 'hopeit payload class, module.QualName (with --layout hopeit)')
            [CompletionResult]::new('--hopeit-ser', '--hopeit-ser', [CompletionResultType]::ParameterName, 'hopeit payload serialisation: json, or json+base64 (hopeit''s default)')
            [CompletionResult]::new('--hopeit-comp', '--hopeit-comp', [CompletionResultType]::ParameterName, 'hopeit payload compression: none, lz4 (hopeit''s default), zip (zlib), gzip, bz2 or lzma (xz)')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Check every hopeit payload against this JSON Schema before the first XADD: a JSON Schema file, or an OpenAPI document (its components/schemas/<Class of --hopeit-type>); FILE#/pointer picks another schema in the file')
            [CompletionResult]::new('--maxlen', '--maxlen', [CompletionResultType]::ParameterName, 'Trim the stream to about this many entries (XADD MAXLEN ~ N)')
            [CompletionResult]::new('--connection-timeout', '--connection-timeout', [CompletionResultType]::ParameterName, 'How long connecting to Redis may take before giving up (exit 4) [default: 5s for each of TCP, TLS and the handshake]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'rediss://: PEM file of the CA certificates that signed the server''s certificate [default: SSL_CERT_FILE, else the Mozilla roots]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'rediss://: client certificate (PEM) for a server that requires one (tls-auth-clients)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'rediss://: the private key (PEM) of --tls-cert [default: in the --tls-cert file]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
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
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Consumer group (created from the start of the stream when missing)')
            [CompletionResult]::new('--dead-letter', '--dead-letter', [CompletionResultType]::ParameterName, 'Dead-letter stream [default: KEY:dead]')
            [CompletionResult]::new('--connection-timeout', '--connection-timeout', [CompletionResultType]::ParameterName, 'How long to stay without a working Redis connection before giving up (exit 4), or `none` [default: none for a worker (its reconnects are counted), 10s for status and requeue]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'rediss://: PEM file of the CA certificates that signed the server''s certificate [default: SSL_CERT_FILE, else the Mozilla roots]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'rediss://: client certificate (PEM) for a server that requires one (tls-auth-clients)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'rediss://: the private key (PEM) of --tls-cert [default: in the --tls-cert file]')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Handler command, run through `sh -c`')
            [CompletionResult]::new('--consumer', '--consumer', [CompletionResultType]::ParameterName, 'This worker''s name in the group; a restarted worker with the same name finds its own pending entries [default: feedctl-HOST-consume]')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'Run the handler per entry, or once for the whole run (NDJSON in and out)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Most handlers running at once [default: the number of CPUs]')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Most entries taken per read, handed to the handlers as one chunk [default: --concurrency]')
            [CompletionResult]::new('--requeue-delay', '--requeue-delay', [CompletionResultType]::ParameterName, 'Wait before delivering an entry whose handler exited 75 again')
            [CompletionResult]::new('--retry-delay', '--retry-delay', [CompletionResultType]::ParameterName, 'Wait before delivering an entry whose handler failed again')
            [CompletionResult]::new('--max-deliveries', '--max-deliveries', [CompletionResultType]::ParameterName, 'Deliveries of an entry (the group''s delivery count) before a failure sends it to the dead letters')
            [CompletionResult]::new('--claim-idle', '--claim-idle', [CompletionResultType]::ParameterName, 'Take over entries pending with any consumer for longer than this (XAUTOCLAIM), at start and this often')
            [CompletionResult]::new('--slow', '--slow', [CompletionResultType]::ParameterName, 'Warn about a handler running longer than this')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Kill a handler (its whole process group) running longer than this, and count it failed')
            [CompletionResult]::new('--grace', '--grace', [CompletionResultType]::ParameterName, 'After Ctrl-C or SIGTERM, how long running handlers may finish before they are killed')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop once this many entries were settled (acknowledged or dead-lettered)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long')
            [CompletionResult]::new('--exit-when-idle', '--exit-when-idle', [CompletionResultType]::ParameterName, 'Stop once nothing was read, claimed or waiting for this long')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Also store the run and every handler result in this journal (as replay does)')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Also store the run and every handler result in this journal (as replay does)')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'host')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'port')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'scheme')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'username')
            [CompletionResult]::new('--private-key', '--private-key', [CompletionResultType]::ParameterName, 'private-key')
            [CompletionResult]::new('--datafeed-version', '--datafeed-version', [CompletionResultType]::ParameterName, 'datafeed-version')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The bot config and `--yes` mean nothing to these commands either (they never read the config file nor ask a question)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
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
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Consumer group (created from the start of the stream when missing)')
            [CompletionResult]::new('--dead-letter', '--dead-letter', [CompletionResultType]::ParameterName, 'Dead-letter stream [default: KEY:dead]')
            [CompletionResult]::new('--connection-timeout', '--connection-timeout', [CompletionResultType]::ParameterName, 'How long to stay without a working Redis connection before giving up (exit 4), or `none` [default: none for a worker (its reconnects are counted), 10s for status and requeue]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'rediss://: PEM file of the CA certificates that signed the server''s certificate [default: SSL_CERT_FILE, else the Mozilla roots]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'rediss://: client certificate (PEM) for a server that requires one (tls-auth-clients)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'rediss://: the private key (PEM) of --tls-cert [default: in the --tls-cert file]')
            [CompletionResult]::new('--stuck-after', '--stuck-after', [CompletionResultType]::ParameterName, 'Exit 1 when an entry has been pending (idle) longer than this, and list such entries')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
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
            [CompletionResult]::new('--connection-timeout', '--connection-timeout', [CompletionResultType]::ParameterName, 'How long to stay without a working Redis connection before giving up (exit 4), or `none` [default: none for a worker (its reconnects are counted), 10s for status and requeue]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'rediss://: PEM file of the CA certificates that signed the server''s certificate [default: SSL_CERT_FILE, else the Mozilla roots]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'rediss://: client certificate (PEM) for a server that requires one (tls-auth-clients)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'rediss://: the private key (PEM) of --tls-cert [default: in the --tls-cert file]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
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
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'NDJSON file of events to serve (one V4Event per line), or `demo` for the 40 built-in demo events')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Journal to serve recorded chunks from (unless --events is given), and to store what the bot sends back')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Journal to serve recorded chunks from (unless --events is given), and to store what the bot sends back')
            [CompletionResult]::new('--recording', '--recording', [CompletionResultType]::ParameterName, 'Serve only this recording of the journal')
            [CompletionResult]::new('--pace', '--pace', [CompletionResultType]::ParameterName, 'Pacing of recorded chunks: original (as recorded), a factor like 2x, or instant')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'With --print-config: write a fresh TEST key pair here, for the printed config and for serve --public-key')
            [CompletionResult]::new('--public-key', '--public-key', [CompletionResultType]::ParameterName, 'The bot''s RSA public key (PEM): login JWTs must verify against it')
            [CompletionResult]::new('--bot-user-id', '--bot-user-id', [CompletionResultType]::ParameterName, 'User id reported by /pod/v2/sessioninfo [default: the recording''s bot with --journal, else 349026222344902]')
            [CompletionResult]::new('--bot-name', '--bot-name', [CompletionResultType]::ParameterName, 'Display name reported by sessioninfo [default: the recording''s bot with --journal, else the JWT''s subject]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Serve HTTPS with this certificate (PEM); needs --tls-key')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The private key of --tls-cert (PEM)')
            [CompletionResult]::new('--client-ca', '--client-ca', [CompletionResultType]::ParameterName, 'With TLS: verify client certificates against this CA; a verified one may log in by certificate')
            [CompletionResult]::new('--poll-timeout', '--poll-timeout', [CompletionResultType]::ParameterName, 'How long an idle read waits before answering with no events')
            [CompletionResult]::new('--visibility-timeout', '--visibility-timeout', [CompletionResultType]::ParameterName, 'How long delivered events wait for their ack before they are delivered again')
            [CompletionResult]::new('--feed-ttl', '--feed-ttl', [CompletionResultType]::ParameterName, 'A feed not read for this long expires')
            [CompletionResult]::new('--max-feeds', '--max-feeds', [CompletionResultType]::ParameterName, 'Active v2 feeds per user; creating one more answers 403')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Most events in one read')
            [CompletionResult]::new('--fault', '--fault', [CompletionResultType]::ParameterName, 'Inject a fault: TARGET:KIND[+SKIP][xCOUNT][@PROB], e.g. read:500x3 (see docs/faults.md)')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed for probabilistic faults and reordering')
            [CompletionResult]::new('--request-log', '--request-log', [CompletionResultType]::ParameterName, 'Also write every request as NDJSON to this file')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'A channel that exists from the start (repeat); channels of the journal and injected ones exist too')
            [CompletionResult]::new('--retention', '--retention', [CompletionResultType]::ParameterName, 'How long events stay retained for replay (Salesforce: 24h, 72h for high-volume events)')
            [CompletionResult]::new('--session-timeout', '--session-timeout', [CompletionResultType]::ParameterName, 'A session whose client does not poll again within this long is dropped (403::Unknown client)')
            [CompletionResult]::new('--jwt-public-key', '--jwt-public-key', [CompletionResultType]::ParameterName, 'Accept JWT bearer logins signed by this key: the connected app''s certificate or its RSA public key (PEM)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'insecure')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'y')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'yes')
            [CompletionResult]::new('--loop', '--loop', [CompletionResultType]::ParameterName, 'Serve the recording again from the start when it is done')
            [CompletionResult]::new('--print-config', '--print-config', [CompletionResultType]::ParameterName, 'Print a bot config.yaml for this emulator and exit (with --key-dir, also write a test key pair)')
            [CompletionResult]::new('--accept-any-key', '--accept-any-key', [CompletionResultType]::ParameterName, 'Accept a login JWT signed by any key (still checks its shape and expiry)')
            [CompletionResult]::new('--skd', '--skd', [CompletionResultType]::ParameterName, 'Issue session tokens that allow Simplified Key Delivery (no key manager call)')
            [CompletionResult]::new('--salesforce', '--salesforce', [CompletionResultType]::ParameterName, 'Emulate a Salesforce streaming endpoint (OAuth token + Bayeux at /cometd/VERSION) instead of a pod')
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
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the running serve (its first line of output); without a scheme, http:// is assumed')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Event type (any of the 17, case-insensitive)')
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Stream (conversation) id')
            [CompletionResult]::new('--text', '--text', [CompletionResultType]::ParameterName, 'Message text (MESSAGESENT); wrapped in PresentationML')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Who sends it: a user id, or a username')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'NDJSON file of complete events to push instead')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Publish to this channel of a running `serve --salesforce` (/topic/X, /event/X__e, /data/X, /u/X); --type is the event type (default created)')
            [CompletionResult]::new('--payload', '--payload', [CompletionResultType]::ParameterName, 'With --channel: the record fields or event payload (a JSON object)')
            [CompletionResult]::new('--sfdc-fault', '--sfdc-fault', [CompletionResultType]::ParameterName, 'Trigger a fault in a running `serve --salesforce`: drop-sessions, revoke-tokens, expire, lock-logins, unlock-logins, deny-app-access, allow-app-access, garbage')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
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
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Keep the demo''s journal in this file [default: a temporary file, removed at the end]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
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
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for records [default: table on a terminal, json when piped]')
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
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run an emulated pod on loopback that serves events to a bot, and capture its replies')
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
